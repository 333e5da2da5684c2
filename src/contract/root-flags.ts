import type { RootFlags } from '../engine/config/paths.js';

/**
 * The global flags that locate the engine's roots, as both front ends accept them (the
 * reference's names, anywhere in argv). The front ends parse them; the engine is handed the
 * values (it never reads argv).
 */
export const ROOT_FLAGS = [
  { name: 'skvm-cache', key: 'cache', value: 'DIR', help: 'cache root (profiles, runs, logs, proposals); default $SKVM_CACHE or ~/.skvm' },
  { name: 'skvm-data-dir', key: 'dataDir', value: 'DIR', help: 'data directory (tasks, bundled profiles); default $SKVM_DATA_DIR or the bundled skvm-data' },
  { name: 'tmp-dir', key: 'tmpDir', value: 'DIR', help: 'temporary work directories; default $SKVM_TMP_DIR, config paths.tmpDir, or the OS temp dir' },
] as const satisfies ReadonlyArray<{ name: string; key: keyof RootFlags; value: string; help: string }>;

/** Root flags given as `--name=value` anywhere in argv (the server's command line). */
export function rootFlagsFromArgv(argv: readonly string[]): RootFlags {
  const flags: RootFlags = {};
  for (const f of ROOT_FLAGS) {
    const prefix = `--${f.name}=`;
    const hit = argv.find((a) => a.startsWith(prefix) && a.length > prefix.length);
    if (hit) flags[f.key] = hit.slice(prefix.length);
  }
  return flags;
}
