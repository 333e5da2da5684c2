import { readFile } from 'node:fs/promises';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Module hooks (node:module `register`) that let `node --test` run a Bun-style test file:
 * - `bun:test` resolves to shim.js beside this file;
 * - `.ts/.mts/.cts/.tsx` files load with their types stripped (sucrase: types only, the rest of
 *   the code is left as written) and Bun's `import.meta.dir` / `import.meta.path` set;
 * - a relative import without an extension (Bun resolves those) tries `.ts`, `.js`, `/index.ts`.
 */

const SHIM = new URL('./shim.js', import.meta.url).href;
const TS_FILE = /\.(m|c)?tsx?$/;
const EXTENSIONS = ['.ts', '.tsx', '.js', '.mjs', '/index.ts', '/index.js'];

type Next<A extends unknown[], R> = (...args: A) => Promise<R>;
interface ResolveResult {
  url: string;
  format?: string | null;
  shortCircuit?: boolean;
}
interface LoadResult {
  format: string;
  source?: string | ArrayBuffer | Uint8Array | null;
  shortCircuit?: boolean;
}
type Ctx = Record<string, unknown>;

export async function resolve(specifier: string, context: Ctx, next: Next<[string, Ctx], ResolveResult>): Promise<ResolveResult> {
  if (specifier === 'bun:test') return { url: SHIM, shortCircuit: true };
  try {
    return await next(specifier, context);
  } catch (err) {
    const relative = specifier.startsWith('./') || specifier.startsWith('../');
    if (!relative || (err as { code?: string }).code !== 'ERR_MODULE_NOT_FOUND') throw err;
    for (const ext of EXTENSIONS) {
      try {
        return await next(specifier + ext, context);
      } catch {
        // try the next extension
      }
    }
    throw err;
  }
}

export async function load(url: string, context: Ctx, next: Next<[string, Ctx], LoadResult>): Promise<LoadResult> {
  if (!url.startsWith('file:') || !TS_FILE.test(new URL(url).pathname)) return next(url, context);
  const file = fileURLToPath(url);
  const code = await readFile(file, 'utf8');
  const { transform } = await import('sucrase'); // only TypeScript files pay for loading it
  const js = transform(code, {
    transforms: file.endsWith('x') ? ['typescript', 'jsx'] : ['typescript'],
    filePath: file,
    disableESTransforms: true,
    preserveDynamicImport: true,
  }).code;
  // Bun's import.meta extras, on the first line so stack traces keep their line numbers.
  const meta = `import.meta.dir=${JSON.stringify(path.dirname(file))};import.meta.path=${JSON.stringify(file)};`;
  return { format: 'module', source: meta + js, shortCircuit: true };
}

