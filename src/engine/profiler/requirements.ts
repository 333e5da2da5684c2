import { execFile } from 'node:child_process';
import { primedPython3, primeToolPaths } from '../sandbox/index.js';
import { which } from '../util/which.js';
import type { ProbeRequirement } from './types.js';

const cache = new Map<ProbeRequirement, Promise<boolean>>();

/** Whether the machine has what a probe's task needs (cached per process). */
export function hasRequirement(req: ProbeRequirement): Promise<boolean> {
  let p = cache.get(req);
  if (!p) {
    p = check(req);
    cache.set(req, p);
  }
  return p;
}

async function check(req: ProbeRequirement): Promise<boolean> {
  if (!req.startsWith('python3:')) return which(req) !== undefined;
  const module = req.slice('python3:'.length);
  if (!/^[A-Za-z_][A-Za-z0-9_.]*$/.test(module) || !which('python3')) return false;
  // The interpreter the probe's commands will run, found by the lookup (which may already be on
  // its way): a pyenv-style shim costs ~200 ms of CPU per start, the lookup pays it once.
  await primeToolPaths();
  return new Promise((resolve) => {
    execFile(primedPython3() ?? 'python3', ['-c', `import ${module}`], { timeout: 20_000 }, (err) => resolve(!err));
  });
}

/** The first missing requirement, described for a skip reason; undefined when all are there. */
export async function missingRequirement(reqs: readonly ProbeRequirement[]): Promise<string | undefined> {
  for (const r of reqs) {
    if (await hasRequirement(r)) continue;
    return r.startsWith('python3:') ? `the Python module ${r.slice(8)} is not installed` : `${r} is not installed on this machine`;
  }
  return undefined;
}
