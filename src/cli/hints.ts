import type { AnyOperation } from '../contract/operation.js';
import { exposedInput } from '../contract/invoke.js';
import { toKebab } from './schema.js';

/**
 * Engine and operation texts (errors, hints, "what next") are written once, for a model calling
 * tools. At the terminal they are rewritten, from the registry, into what a person types there:
 * tool names become commands (`config_doctor` → `skvm config doctor`), argument names become
 * flags (`waitSeconds` → `--wait-seconds`, and for the command at hand `overwrite: true` →
 * `--overwrite=true`).
 */
export function cliText(text: string, vocabulary: CliVocabulary, current?: AnyOperation): string {
  let out = text;
  // Multi-word names only: a one-word tool name (profile, bench) is also an ordinary word.
  const tools = vocabulary.tools.filter((n) => n.includes('_'));
  if (tools.length > 0) out = out.replace(new RegExp(`\\b(${tools.join('|')})\\b`, 'g'), (name) => `skvm ${name.split('_').join(' ')}`);
  out = flags(out, vocabulary.args.filter((k) => /[A-Z]/.test(k)), false);
  // A one-word argument is only a flag when written as a setting (`overwrite: true`), and only
  // for the command at hand: as a bare word it is ordinary prose.
  if (current) out = flags(out, Object.keys(exposedInput(current).shape).filter((k) => !/[A-Z]/.test(k)), true);
  return out;
}

/** The names texts may mention: every operation and every argument name. */
export interface CliVocabulary {
  tools: readonly string[];
  args: readonly string[];
}

export function vocabularyOf(operations: readonly AnyOperation[]): CliVocabulary {
  return { tools: operations.map((o) => o.name), args: [...new Set(operations.flatMap((o) => Object.keys(exposedInput(o).shape)))] };
}

/** `name`, `name: value` and `name=value` → `--kebab-name`, `--kebab-name=value`. */
function flags(text: string, names: readonly string[], settingsOnly: boolean): string {
  if (names.length === 0) return text;
  const setting = `(?::\\s*|=)(?=[\\w"'])`;
  const re = new RegExp(`(?<![-\\w])(${names.join('|')})\\b((?:${setting})${settingsOnly ? '' : '?'})`, 'g');
  return text.replace(re, (_m, name: string, sep: string) => `--${toKebab(name)}${sep ? '=' : ''}`);
}
