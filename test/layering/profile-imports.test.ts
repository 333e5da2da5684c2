import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO } from '../e2e/harness.js';

/**
 * A profile's start-up is a measured figure (npm run bench:profile): the profiler must not load
 * the task runtime's graders (ajv, gray-matter, every evaluator) through a barrel import — twice
 * already a one-word import of `runtime/index.js` added ~35 modules before the first LLM request.
 * Checked on the built modules, as the bin loads them (npm test builds first).
 */
const HOOK = `data:text/javascript,${encodeURIComponent(
  "import { register } from 'node:module'; register('data:text/javascript,' + encodeURIComponent(\"export async function load(u, c, n) { if (u.startsWith('file:')) process.stdout.write(u + '\\\\n'); return n(u, c); }\"));",
)}`;

describe('what a profile loads', () => {
  it('the profiler modules load no graders, ajv or gray-matter', () => {
    const entries = ['src/engine/profiler/start.js', 'src/engine/profiler/session.js', 'src/engine/profiler/runner.js'].map((f) => path.join(REPO, 'dist', f));
    const code = `for (const f of ${JSON.stringify(entries)}) await import(f);`;
    const r = spawnSync(process.execPath, ['--import', HOOK, '--input-type=module', '-e', code], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    const loaded = r.stdout.split('\n').filter(Boolean);
    expect(loaded.some((u) => u.includes('/dist/src/engine/profiler/runner.js'))).toBe(true);
    expect(loaded.filter((u) => /\/dist\/src\/engine\/eval\/|\/node_modules\/(ajv|gray-matter|js-yaml)\//.test(u))).toEqual([]);
  });
});
