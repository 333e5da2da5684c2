import type { AnyOperation } from '../contract/operation.js';
import type { CliCommand } from './commands/index.js';

/**
 * The command table: one entry per operation (words = the op name split on `_`) and per
 * CLI-only command. Resolution takes the longest match of leading words, so
 * `skvm profile show` beats `skvm profile`; an operation's snake name (`config_show`) and
 * kebab name (`config-show`) are accepted as single words too.
 */

export type CommandEntry =
  | { kind: 'op'; words: string[]; title: string; op: AnyOperation }
  | { kind: 'cli'; words: string[]; title: string; command: CliCommand };

export function buildTable(operations: readonly AnyOperation[], commands: readonly CliCommand[]): CommandEntry[] {
  const entries: CommandEntry[] = operations.map((op) => ({ kind: 'op', words: op.name.split('_'), title: op.title, op }));
  const taken = new Set(entries.map((e) => e.words.join(' ')));
  for (const command of commands) {
    // An operation is the single source of truth for its words; a clashing CLI command loses.
    if (taken.has(command.words.join(' '))) continue;
    taken.add(command.words.join(' '));
    entries.push({ kind: 'cli', words: command.words, title: command.summary, command });
  }
  return entries;
}

export function commandName(entry: CommandEntry): string {
  return entry.words.join(' ');
}

export type Resolution =
  | { kind: 'found'; entry: CommandEntry; extra: string[] }
  | { kind: 'group'; prefix: string[]; members: CommandEntry[] }
  | { kind: 'unknown'; words: string[]; suggestions: string[] }
  | { kind: 'none' };

export function resolveCommand(table: readonly CommandEntry[], words: readonly string[]): Resolution {
  if (words.length === 0) return { kind: 'none' };
  let best: { entry: CommandEntry; used: number } | undefined;
  for (const entry of table) {
    const used = matchLength(entry, words);
    if (used > 0 && (!best || used > best.used)) best = { entry, used };
  }
  // A longer path that is only a group (`skvm config` with config_show, config_init) is a group.
  const groupPrefix = longestGroupPrefix(table, words);
  if (best && (!groupPrefix || best.used >= groupPrefix.length)) {
    const extra = words.slice(best.used);
    if (extra.length > 0) {
      // `skvm profile shwo`: if other commands continue this path, it is a mistyped command.
      const deeper = table.filter((e) => e !== best!.entry && startsWith(e.words, words.slice(0, best!.used)));
      if (deeper.length > 0) return { kind: 'unknown', words: [...words], suggestions: suggest(table, words) };
    }
    return { kind: 'found', entry: best.entry, extra };
  }
  if (groupPrefix) {
    const members = table.filter((e) => startsWith(e.words, groupPrefix));
    if (groupPrefix.length === words.length) return { kind: 'group', prefix: groupPrefix, members };
  }
  return { kind: 'unknown', words: [...words], suggestions: suggest(table, words) };
}

function matchLength(entry: CommandEntry, words: readonly string[]): number {
  if (startsWith(words, entry.words)) return entry.words.length;
  const first = words[0]!;
  if (first === entry.words.join('_') || first === entry.words.join('-')) return 1;
  return 0;
}

function longestGroupPrefix(table: readonly CommandEntry[], words: readonly string[]): string[] | undefined {
  for (let n = words.length; n > 0; n--) {
    const prefix = words.slice(0, n);
    if (table.some((e) => e.words.length > n && startsWith(e.words, prefix))) return [...prefix];
  }
  return undefined;
}

function startsWith(a: readonly string[], prefix: readonly string[]): boolean {
  if (prefix.length > a.length) return false;
  return prefix.every((w, i) => a[i] === w);
}

/** Up to three commands near what was typed: close spellings first, then same first word. */
function suggest(table: readonly CommandEntry[], words: readonly string[]): string[] {
  const typed = words.join(' ');
  const scored: Array<{ name: string; d: number }> = [];
  for (const e of table) {
    const name = commandName(e);
    let d = Math.min(distance(typed, name), distance(typed.replace(/[-_]/g, ' '), name));
    if (d > Math.max(2, Math.floor(name.length / 3))) d = e.words[0] === words[0] ? 100 : Infinity;
    if (Number.isFinite(d)) scored.push({ name, d });
  }
  scored.sort((a, b) => a.d - b.d);
  return scored.slice(0, 3).map((s) => s.name);
}

function distance(a: string, b: string): number {
  const prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0]!;
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = prev[j]!;
      prev[j] = Math.min(prev[j]! + 1, prev[j - 1]! + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
      diag = tmp;
    }
  }
  return prev[b.length]!;
}
