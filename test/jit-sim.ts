import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import type { JitOptimizeSimSpec } from '../src/engine/sim/policies/jit-optimize.js';

/**
 * The improve-then-regress fixture of the jit-optimize tests: a skill whose output step the
 * simulated optimizer first strengthens (adding the marker the simulated target needs, so the
 * task goes from 0 to 0.5) and then, editing that version, breaks (the marker replaced, back
 * to 0). A round based on the original or on round 1 makes the same edits again, so the
 * recorded trajectory shows which version each round edited.
 */

export const MARKER = 'Always write ok into out.txt.';
export const BROKEN = 'Write whatever seems right into out.txt.';

export const SKILL_MD = '---\nname: out-writer\ndescription: Writes the out file\n---\n# Out writer\n\n## Output\nWrite the result.\n';

export const JIT_SIM: JitOptimizeSimSpec = {
  optimizerModel: 'optimizer',
  edits: [
    { find: MARKER, replace: BROKEN, rootCause: 'the output rule is too strict' },
    { find: 'Write the result.', replace: `Write the result.\n${MARKER}`, rootCause: 'the output step does not say what to write' },
  ],
  marker: MARKER,
  output: { path: 'out.txt', pass: 'ok', fail: 'nothing' },
  costUsd: 0.001,
};

/** A skill folder and a task folder (inline fixture + _setup.sh, two file-checks: "ok" passes one, "perfect" is never written). */
export async function writeJitFixtures(root: string): Promise<{ skillDir: string; taskDir: string }> {
  const skillDir = path.join(root, 'skills', 'out-writer');
  const taskDir = path.join(root, 'tasks', 'write-out');
  await fsp.mkdir(skillDir, { recursive: true });
  await fsp.mkdir(path.join(taskDir, 'fixtures'), { recursive: true });
  await fsp.writeFile(path.join(skillDir, 'SKILL.md'), SKILL_MD);
  await fsp.writeFile(path.join(taskDir, 'fixtures', '_setup.sh'), 'echo prepared > prepared.txt\n');
  await fsp.writeFile(
    path.join(taskDir, 'task.json'),
    JSON.stringify({
      id: 'write-out',
      prompt: 'Write the out file as the skill says.',
      timeoutMs: 30000,
      maxSteps: 5,
      fixtures: { 'input.txt': 'data' },
      eval: [
        { id: 'has-ok', method: 'file-check', path: 'out.txt', mode: 'contains', expected: 'ok' },
        { id: 'has-perfect', method: 'file-check', path: 'out.txt', mode: 'contains', expected: 'perfect' },
      ],
    }),
  );
  return { skillDir, taskDir };
}
