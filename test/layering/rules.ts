import { existsSync, readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import ts from 'typescript';

/**
 * The layering rules of DESIGN.md, checked over the source tree (test files excluded):
 *   1. src/engine knows nothing of MCP or argv: it imports no `@modelcontextprotocol/*`, nothing
 *      under src/contract, src/server, src/cli, tools/ or resources/, and reads no process.argv;
 *   2. production code reaches the simulator (src/engine/sim) nowhere except from the simulator
 *      itself and the CLI commands that exist to run it (`skvm demo`, `skvm sim serve`);
 *   3. no import cycles, counting type-only and dynamic imports.
 * The functions take a file map so the rules themselves can be tested on made-up trees.
 */

export interface SourceFile {
  /** Repo-relative path with forward slashes. */
  rel: string;
  text: string;
}

/** Simulator front ends: CLI commands whose whole job is to run the simulator. */
export const SIM_FRONT_ENDS = ['src/cli/commands/demo.ts', 'src/cli/commands/sim-serve.ts'];

const ROOTS = ['src', 'tools', 'resources', 'prompts'];

export function collectSources(repo: string): SourceFile[] {
  const out: SourceFile[] = [];
  const walk = (dir: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const abs = path.join(dir, e.name);
      if (e.isDirectory()) walk(abs);
      else if (e.name.endsWith('.ts') && !e.name.endsWith('.test.ts') && !e.name.endsWith('.d.ts')) {
        out.push({ rel: path.relative(repo, abs).split(path.sep).join('/'), text: readFileSync(abs, 'utf8') });
      }
    }
  };
  for (const r of ROOTS) if (existsSync(path.join(repo, r))) walk(path.join(repo, r));
  return out.sort((a, b) => a.rel.localeCompare(b.rel));
}

/** Every module specifier a file imports (static, type-only, re-exports and dynamic import()). */
export function importsOf(text: string): string[] {
  return ts.preProcessFile(text, true, true).importedFiles.map((f) => f.fileName);
}

/** A relative specifier resolved to a repo-relative .ts path (`./x.js` → `dir/x.ts`). */
export function resolveRelative(fromRel: string, spec: string): string | undefined {
  if (!spec.startsWith('.')) return undefined;
  const joined = path.posix.normalize(path.posix.join(path.posix.dirname(fromRel), spec));
  return joined.replace(/\.js$/, '.ts');
}

/** Whether the file reads `process.argv` in code (strings and comments do not count). */
export function readsArgv(text: string): boolean {
  const sf = ts.createSourceFile('x.ts', text, ts.ScriptTarget.ES2022, false, ts.ScriptKind.TS);
  let found = false;
  const visit = (node: ts.Node): void => {
    if (found) return;
    if (ts.isPropertyAccessExpression(node) && node.name.text === 'argv' && ts.isIdentifier(node.expression) && node.expression.text === 'process') found = true;
    else if (ts.isElementAccessExpression(node) && ts.isIdentifier(node.expression) && node.expression.text === 'process' && ts.isStringLiteral(node.argumentExpression) && node.argumentExpression.text === 'argv') found = true;
    else ts.forEachChild(node, visit);
  };
  visit(sf);
  return found;
}

const ENGINE_FORBIDDEN = ['src/contract/', 'src/server/', 'src/cli/', 'tools/', 'resources/', 'prompts/'];

export function engineViolations(files: readonly SourceFile[]): string[] {
  const out: string[] = [];
  for (const f of files.filter((f) => f.rel.startsWith('src/engine/'))) {
    for (const spec of importsOf(f.text)) {
      if (spec.startsWith('@modelcontextprotocol/')) out.push(`${f.rel} imports ${spec}`);
      const target = resolveRelative(f.rel, spec);
      if (target && ENGINE_FORBIDDEN.some((p) => target.startsWith(p))) out.push(`${f.rel} imports ${target}`);
    }
    if (readsArgv(f.text)) out.push(`${f.rel} reads process.argv`);
  }
  return out;
}

export function simulatorViolations(files: readonly SourceFile[]): string[] {
  const out: string[] = [];
  for (const f of files) {
    if (f.rel.startsWith('src/engine/sim/') || SIM_FRONT_ENDS.includes(f.rel)) continue;
    for (const spec of importsOf(f.text)) {
      const target = resolveRelative(f.rel, spec);
      if (target?.startsWith('src/engine/sim/')) out.push(`${f.rel} imports ${target}`);
    }
  }
  return out;
}

/** Import cycles (strongly connected groups of two or more modules, or a module importing itself). */
export function importCycles(files: readonly SourceFile[]): string[][] {
  const known = new Set(files.map((f) => f.rel));
  const edges = new Map<string, string[]>();
  for (const f of files) {
    const targets = importsOf(f.text)
      .map((s) => resolveRelative(f.rel, s))
      .filter((t): t is string => t !== undefined && known.has(t));
    edges.set(f.rel, [...new Set(targets)]);
  }
  // Tarjan's strongly connected components.
  let index = 0;
  const idx = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const cycles: string[][] = [];
  const strong = (v: string): void => {
    idx.set(v, index);
    low.set(v, index++);
    stack.push(v);
    onStack.add(v);
    for (const w of edges.get(v) ?? []) {
      if (!idx.has(w)) {
        strong(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, idx.get(w)!));
    }
    if (low.get(v) === idx.get(v)) {
      const group: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        group.push(w);
      } while (w !== v);
      if (group.length > 1 || (edges.get(v) ?? []).includes(v)) cycles.push(group.sort());
    }
  };
  for (const v of edges.keys()) if (!idx.has(v)) strong(v);
  return cycles;
}
