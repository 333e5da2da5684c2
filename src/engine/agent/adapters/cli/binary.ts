import { promises as fsp, statSync } from 'node:fs';
import { harnessEntry } from '../harnesses.js';
import { cliVersion, locateHarnessCli } from '../locate.js';
import type { Availability } from '../types.js';

/**
 * The executable a CLI harness runs, by locate.ts's precedence (override variable, config
 * `adapters.<name>`, PATH), or why there is none with how to install it.
 */
export type BinaryLookup = { ok: true; path: string } | { ok: false; reason: string; installHint: string };

export function resolveHarnessBinary(name: string, env: NodeJS.ProcessEnv, adapters: Record<string, unknown> = {}): BinaryLookup {
  const cli = harnessEntry(name)?.cli;
  const where = locateHarnessCli(name, env, adapters);
  const install = cli && 'pkg' in cli && cli.pkg ? `install it with "npm i -g ${cli.pkg}"` : `install ${cli?.bin ?? name}`;
  const pointAt = `set config adapters.${name} to its path${cli?.envVar ? ` or $${cli.envVar}` : ''}`;
  if (!where?.path) return { ok: false, reason: `not installed (looked for ${where?.looked ?? name})`, installHint: `${capitalize(install)}, or ${pointAt}.` };
  let isFile = false;
  try {
    isFile = statSync(where.path).isFile();
  } catch {
    // vanished between the lookup and now: reported as not a file
  }
  if (!isFile) return { ok: false, reason: `${where.looked} is not an executable file: ${where.path}`, installHint: `Point ${where.via === 'env' ? `$${cli?.envVar}` : `adapters.${name}`} at the ${cli?.bin ?? name} executable, or ${install}.` };
  return { ok: true, path: where.path };
}

/** `available()` of a CLI harness: its binary is there. */
export function binaryAvailability(name: string, env: NodeJS.ProcessEnv, adapters?: Record<string, unknown>): Availability {
  const found = resolveHarnessBinary(name, env, adapters);
  return found.ok ? { ok: true } : { ok: false, reason: found.reason, installHint: found.installHint };
}

/** The harness's `--version` line (undefined when it does not answer). */
export function harnessVersion(binary: string, env: NodeJS.ProcessEnv): Promise<string | undefined> {
  return cliVersion(binary, env);
}

/** A script's `#!` line: `#!/usr/bin/env node` → { interpreter: '/usr/bin/env', arg: 'node' }; undefined for a binary. */
export async function shebang(file: string): Promise<{ interpreter: string; arg?: string } | undefined> {
  const head = Buffer.alloc(256);
  const fd = await fsp.open(file, 'r').catch(() => undefined);
  if (!fd) return undefined;
  try {
    const { bytesRead } = await fd.read(head, 0, head.length, 0);
    const m = /^#!\s*(\S+)(?:[ \t]+(\S+))?/.exec(head.subarray(0, bytesRead).toString('latin1').split('\n', 1)[0] ?? '');
    return m ? { interpreter: m[1]!, ...(m[2] ? { arg: m[2] } : {}) } : undefined;
  } finally {
    await fd.close();
  }
}

function capitalize(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}
