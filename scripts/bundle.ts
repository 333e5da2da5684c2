/**
 * The last step of `npm run build`: the two bins as bundles, `dist/bin/skvm.js` and
 * `dist/bin/skvm-mcp.js` (their shared code and each lazily loaded module in chunks beside them).
 *
 * Why: Node 20 has no compile cache and loads ES modules one file at a time; `skvm profile`
 * loaded ~414 of them (openai's 154, zod's dozens) before its first LLM request. Bundled, the
 * same start-up takes ~100 ms less (bench:profile prints it), which a user waits for on every CLI
 * call and an MCP host on every server start.
 *
 * The modules stay in dist/ as tsc wrote them — tests, scripts and Node preloads use them. Code
 * that finds files beside itself (the tool manifest, prompts, upstream data, grader helpers)
 * reads `import.meta.url`; each bundled module of ours gets the URL of its twin in dist/ instead
 * of the chunk's, so it finds the same files bundled or not.
 */
import { readFile, rm } from 'node:fs/promises';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type Plugin } from 'esbuild-wasm';

const DIST = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const OUT = path.join(DIST, 'bin');
/** Every output lands directly in dist/bin, so `../` of any of them is dist/. */
const DIST_URL_VAR = '__skvmDistUrl';
const BANNER = [
  // Bundled CommonJS dependencies (gray-matter, ajv, …) require Node built-ins.
  "import { createRequire as __skvmCreateRequire } from 'node:module';",
  'const require = __skvmCreateRequire(import.meta.url);',
  `const ${DIST_URL_VAR} = new URL('../', import.meta.url);`,
].join('\n');

/** Gives each module of ours the `import.meta.url` it has unbundled. */
const keepModuleUrls: Plugin = {
  name: 'skvm-module-urls',
  setup(b) {
    b.onLoad({ filter: /\.js$/ }, async (args) => {
      if (!args.path.startsWith(DIST + path.sep)) return undefined; // a dependency: as it is
      const text = await readFile(args.path, 'utf8');
      if (!text.includes('import.meta.url')) return { contents: text, loader: 'js' };
      const rel = path.relative(DIST, args.path).split(path.sep).join('/');
      return { contents: text.replaceAll('import.meta.url', `new URL(${JSON.stringify(rel)}, ${DIST_URL_VAR}).href`), loader: 'js' };
    });
  },
};

/**
 * zod re-exports all of its ~50 message locales (370 KB, half of zod in the bundle) as the
 * `locales` namespace, which no bundler can drop. We use only the English messages zod sets up
 * itself, so `z.locales` holds just `en` in the bins.
 */
const englishOnlyZod: Plugin = {
  name: 'skvm-zod-english',
  setup(b) {
    b.onResolve({ filter: /^\.\.\/locales\/index\.js$/ }, (args) => {
      if (!args.importer.includes(`${path.sep}node_modules${path.sep}zod${path.sep}`)) return undefined;
      return { path: path.join(path.dirname(args.importer), '../locales/en.js'), namespace: 'skvm-zod-locales' };
    });
    b.onLoad({ filter: /.*/, namespace: 'skvm-zod-locales' }, (args) => ({
      contents: `export { default as en } from ${JSON.stringify(args.path)};`,
      resolveDir: path.dirname(args.path),
      loader: 'js',
    }));
  },
};

const started = performance.now();
await rm(OUT, { recursive: true, force: true });
const result = await build({
  entryPoints: { skvm: path.join(DIST, 'src/cli/main.js'), 'skvm-mcp': path.join(DIST, 'src/server/main.js') },
  outdir: OUT,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  // A lazily loaded module keeps its file's name (profile-<hash>.js); shared code is chunk-<hash>.js.
  chunkNames: '[name]-[hash]',
  // Less for V8 to scan at start-up (names are kept: stack traces still say which function).
  minifyWhitespace: true,
  minifySyntax: true,
  banner: { js: BANNER },
  plugins: [keepModuleUrls, englishOnlyZod],
  logLevel: 'silent',
});
for (const w of result.warnings) console.warn(`bundle: ${w.text}${w.location ? ` (${w.location.file}:${w.location.line})` : ''}`);
console.log(`bundled dist/bin/skvm.js and dist/bin/skvm-mcp.js in ${Math.round(performance.now() - started)} ms`);
