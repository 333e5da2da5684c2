import * as os from 'node:os';

/**
 * Host paths no command may see, whatever the caller asks for: the engine registers its cache
 * root, config file and package folder at start (engine.ts); the home directory is always in.
 * Under bubblewrap they are absent (nothing outside the allowlist is mounted) or, when one lies
 * inside a mounted path, covered by an empty mask; sandbox-runtime denies reading them.
 */
const paths = new Set<string>();

export function protectFromCommands(list: readonly string[]): void {
  for (const p of list) if (typeof p === 'string' && p !== '' && !p.includes('\0')) paths.add(p);
}

export function protectedPaths(): string[] {
  return [os.homedir(), ...paths];
}
