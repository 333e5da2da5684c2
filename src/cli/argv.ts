/**
 * First pass over argv: pull out the global flags (anywhere in argv, as the reference does
 * for its `--skvm-cache=` style flags), the command words (the leading bare tokens), and
 * the remaining tokens, which the command parses against its own schema.
 */

export interface GlobalFlags {
  json: boolean;
  quiet: boolean;
  help: boolean;
  version: boolean;
}

export interface SplitArgv {
  globals: GlobalFlags;
  /** Engine flags normalized to `--name=value`, ready for createEngine({ argv }). */
  engineArgv: string[];
  /** Leading bare tokens: the command words (possibly followed by unexpected extras). */
  words: string[];
  /** Everything else, in order: the command's own flags. */
  rest: string[];
  errors: string[];
}

/** Global flags the engine reads itself (`--skvm-cache=DIR` …); the CLI only passes them on. */
export const ENGINE_FLAGS = [
  { name: 'skvm-cache', value: 'DIR', help: 'cache root (profiles, runs, logs, proposals); default $SKVM_CACHE or ~/.skvm' },
  { name: 'skvm-data-dir', value: 'DIR', help: 'data directory (tasks, bundled profiles); default $SKVM_DATA_DIR or the bundled skvm-data' },
  { name: 'tmp-dir', value: 'DIR', help: 'temporary work directories; default $SKVM_TMP_DIR, config paths.tmpDir, or the OS temp dir' },
] as const;

export const BOOLEAN_GLOBALS: ReadonlyArray<{ flag: string; key: keyof GlobalFlags; help: string }> = [
  { flag: '--json', key: 'json', help: 'print the structured result as JSON on stdout' },
  { flag: '--quiet', key: 'quiet', help: 'no progress output on stderr' },
  { flag: '--help', key: 'help', help: 'show help (also -h); with a command, that command’s flags' },
  { flag: '--version', key: 'version', help: 'print the version (before any command word)' },
];

export function splitArgv(argv: readonly string[]): SplitArgv {
  const globals: GlobalFlags = { json: false, quiet: false, help: false, version: false };
  const engineArgv: string[] = [];
  const words: string[] = [];
  const rest: string[] = [];
  const errors: string[] = [];
  let inWords = true;

  for (let i = 0; i < argv.length; i++) {
    const tok = argv[i]!;
    if (tok === '-h') {
      globals.help = true;
      continue;
    }
    // After a command word, --version belongs to the command (e.g. profile show --version=…).
    const boolGlobal = BOOLEAN_GLOBALS.find((g) => g.flag === tok && !(g.key === 'version' && words.length > 0));
    if (boolGlobal) {
      globals[boolGlobal.key] = true;
      continue;
    }
    const engineFlag = tok.startsWith('--') ? ENGINE_FLAGS.find((f) => tok === `--${f.name}` || tok.startsWith(`--${f.name}=`)) : undefined;
    if (engineFlag) {
      let value: string | undefined;
      if (tok.includes('=')) value = tok.slice(tok.indexOf('=') + 1);
      else if (argv[i + 1] !== undefined && !argv[i + 1]!.startsWith('--')) value = argv[++i];
      if (!value) errors.push(`--${engineFlag.name} needs a value (a directory), e.g. --${engineFlag.name}=/path`);
      else engineArgv.push(`--${engineFlag.name}=${value}`);
      continue;
    }
    if (inWords && !tok.startsWith('-')) {
      words.push(tok);
      continue;
    }
    inWords = false;
    rest.push(tok);
  }
  return { globals, engineArgv, words, rest, errors };
}
