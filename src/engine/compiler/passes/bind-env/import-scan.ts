import * as path from 'node:path';
import { resolveImport } from './package-map.js';
import { isStdlibModule } from './stdlib.js';

/**
 * What a bundle imports from Python: `import a, b as c` and `from x.y import z` in `.py` files
 * and in Python code fences of Markdown files. Prose and fences in other languages are not read
 * (a JavaScript `import x from 'y'` would otherwise look like a Python import). Standard-library
 * modules, relative imports and the bundle's own modules are left out.
 */

export interface BundleFile {
  /** Path relative to the bundle, `/`-separated. */
  rel: string;
  content: string;
}

export interface ImportHint {
  /** Import paths the package is known by (`yaml`; `fitz` and `pymupdf`), in first-seen order. */
  modules: string[];
  /** PyPI distribution that provides it. */
  package: string;
  /** Whether the package name came from the module→package table. */
  known: boolean;
  /** Import statements naming it across the bundle. */
  count: number;
}

const DOTTED = /^[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*$/;
const PYTHON_FENCE_LANGS: ReadonlySet<string> = new Set(['', 'python', 'python3', 'py', 'py3', 'ipython', 'ipython3', 'pycon']);

/** Dotted module paths imported by one line of Python (may hold several `;`-separated statements). */
export function importsOfLine(line: string): string[] {
  const code = line.replace(/#.*$/, '');
  const out: string[] = [];
  for (const raw of code.split(';')) {
    const stmt = raw.trim().replace(/^(?:>>>|\.\.\.)\s+/, '');
    const from = /^from\s+(\S+)\s+import\b/.exec(stmt);
    if (from) {
      if (DOTTED.test(from[1]!)) out.push(from[1]!);
      continue;
    }
    const imp = /^import\s+(.+)$/.exec(stmt);
    if (!imp) continue;
    for (const part of imp[1]!.split(',')) {
      const name = part.trim().split(/\s+as\s+/)[0]!.trim();
      if (DOTTED.test(name)) out.push(name);
    }
  }
  return out;
}

/** The lines of a Markdown text that sit inside Python (or unlabelled) code fences. */
export function pythonFenceLines(markdown: string): string[] {
  const lines: string[] = [];
  let open: { marker: string; python: boolean } | undefined;
  for (const line of markdown.split(/\r?\n/)) {
    const fence = /^\s*(`{3,}|~{3,})\s*([\w+-]*)/.exec(line);
    if (!open) {
      if (fence) open = { marker: fence[1]!, python: PYTHON_FENCE_LANGS.has(fence[2]!.toLowerCase()) };
      continue;
    }
    if (fence && fence[1]!.startsWith(open.marker) && fence[2] === '') {
      open = undefined;
      continue;
    }
    if (open.python) lines.push(line);
  }
  return lines;
}

/** Top-level names the bundle itself provides (`helpers.py`, a folder with Python files in it). */
export function localModules(files: readonly BundleFile[]): Set<string> {
  const names = new Set<string>();
  for (const f of files) {
    if (!f.rel.endsWith('.py')) continue;
    names.add(path.posix.basename(f.rel, '.py'));
    for (const dir of path.posix.dirname(f.rel).split('/')) if (dir !== '.') names.add(dir);
  }
  return names;
}

/** Third-party imports of the bundle with their packages, most used first (then by name). */
export function scanPythonImports(files: readonly BundleFile[]): ImportHint[] {
  const local = localModules(files);
  const hints = new Map<string, ImportHint>();
  for (const f of files) {
    const lines = f.rel.endsWith('.py') ? f.content.split(/\r?\n/) : /\.(md|markdown)$/i.test(f.rel) ? pythonFenceLines(f.content) : [];
    for (const line of lines) {
      for (const dotted of importsOfLine(line)) {
        const top = dotted.split('.')[0]!;
        if (isStdlibModule(top) || local.has(top)) continue;
        const resolved = resolveImport(dotted);
        if (!resolved) continue;
        const hint = hints.get(resolved.package) ?? { modules: [], package: resolved.package, known: resolved.known, count: 0 };
        if (!hint.modules.includes(resolved.module)) hint.modules.push(resolved.module);
        hint.count++;
        hints.set(resolved.package, hint);
      }
    }
  }
  return [...hints.values()].sort((a, b) => b.count - a.count || a.package.localeCompare(b.package));
}
