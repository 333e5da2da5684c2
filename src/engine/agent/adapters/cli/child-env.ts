import * as path from 'node:path';
import { SAFE_PATH, toolPathDirs } from '../../../sandbox/env.js';

/**
 * The whole environment of a harness process, built from nothing: nothing of ours leaks in
 * (keys of other routes, the user's harness settings). HOME and TMPDIR are inside the private
 * home; the harness's own variables — its config dir, base URL, and its key under the name the
 * harness reads — come from the adapter. Keys travel only here, never on the command line.
 */
export function harnessEnv(home: string, binary: string, vars: Record<string, string>): Record<string, string> {
  return {
    PATH: harnessPath(binary),
    HOME: home,
    TMPDIR: path.join(home, 'tmp'),
    LANG: 'C.UTF-8',
    LC_ALL: 'C.UTF-8',
    TERM: 'dumb',
    NO_COLOR: '1',
    ...vars,
  };
}

/** The PATH of a harness process: the binary's folder first (npm's .bin shims), then node's (the shims are `env node` scripts). */
export function harnessPath(binary: string): string {
  return [...new Set([path.dirname(binary), path.dirname(process.execPath), ...toolPathDirs(), ...SAFE_PATH])].join(':');
}

/** Native mode: the host's values of the variables the harness reads for its own login (only those set). */
export function hostVars(env: NodeJS.ProcessEnv, names: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const n of names) {
    const v = env[n];
    if (v) out[n] = v;
  }
  return out;
}
