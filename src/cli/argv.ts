import type { RootFlags } from '../engine/config/paths.js';
import { ROOT_FLAGS } from '../contract/root-flags.js';

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
  /** The root flags, ready for createEngine({ flags }). */
  rootFlags: RootFlags;
  /** Leading bare tokens: the command words (possibly followed by unexpected extras). */
  words: string[];
  /** Everything else, in order: the command's own flags. */
  rest: string[];
  errors: string[];
}

export const BOOLEAN_GLOBALS: ReadonlyArray<{ flag: string; key: keyof GlobalFlags; help: string }> = [
  { flag: '--json', key: 'json', help: 'print the structured result as JSON on stdout' },
  { flag: '--quiet', key: 'quiet', help: 'no progress output on stderr' },
  { flag: '--help', key: 'help', help: 'show help (also -h); with a command, that command’s flags' },
  { flag: '--version', key: 'version', help: 'print the version (before any command word)' },
];

export function splitArgv(argv: readonly string[]): SplitArgv {
  const globals: GlobalFlags = { json: false, quiet: false, help: false, version: false };
  const rootFlags: RootFlags = {};
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
    const engineFlag = tok.startsWith('--') ? ROOT_FLAGS.find((f) => tok === `--${f.name}` || tok.startsWith(`--${f.name}=`)) : undefined;
    if (engineFlag) {
      let value: string | undefined;
      if (tok.includes('=')) value = tok.slice(tok.indexOf('=') + 1);
      else if (argv[i + 1] !== undefined && !argv[i + 1]!.startsWith('--')) value = argv[++i];
      if (!value) errors.push(`--${engineFlag.name} needs a value (a directory), e.g. --${engineFlag.name}=/path`);
      else rootFlags[engineFlag.key] = value;
      continue;
    }
    if (inWords && !tok.startsWith('-')) {
      words.push(tok);
      continue;
    }
    inWords = false;
    rest.push(tok);
  }
  return { globals, rootFlags, words, rest, errors };
}
