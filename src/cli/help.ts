import type { AnyOperation } from '../contract/operation.js';
import { exposedInput } from '../contract/invoke.js';
import { ROOT_FLAGS } from '../contract/root-flags.js';
import { BOOLEAN_GLOBALS } from './argv.js';
import { EXIT_CODES_HELP } from './exit-codes.js';
import { acceptsArray, acceptsBoolean, describeExpected, kindsOf, flagSpecs, rangeText, valueLabel, type FlagSpec } from './schema.js';
import { commandName, type CommandEntry } from './table.js';

/** Help text, generated from the command table and the operations' schemas. */

const FLAG_COLUMN = 30;

const TEXT_WIDTH = 100;

/** Two aligned columns; long right-hand text wraps under itself, a long left column pushes it down a line. */
function columns(rows: Array<[string, string]>, indent = '  ', max = FLAG_COLUMN): string[] {
  const width = Math.min(max, Math.max(0, ...rows.map(([l]) => l.length)));
  const pad = `${indent}${' '.repeat(width + 2)}`;
  const out: string[] = [];
  for (const [left, right] of rows) {
    if (!right) {
      out.push(`${indent}${left}`);
      continue;
    }
    const body = wrap(right, Math.max(30, TEXT_WIDTH - pad.length));
    if (left.length > width) out.push(`${indent}${left}`, ...body.map((l) => pad + l));
    else out.push(`${indent}${left.padEnd(width)}  ${body[0]}`, ...body.slice(1).map((l) => pad + l));
  }
  return out;
}

export function globalFlagsHelp(): string {
  const rows: Array<[string, string]> = BOOLEAN_GLOBALS.map((g) => [g.flag, g.help]);
  for (const f of ROOT_FLAGS) rows.push([`--${f.name}=${f.value}`, f.help]);
  return ['Global flags:', ...columns(rows)].join('\n');
}

/** Shown by `skvm --help`; every command line a help text shows under "Examples" is run by a test. */
const EXAMPLES = [
  'skvm config doctor',
  'skvm primitives list --category=tool_use',
  'skvm run task --task=slugify --model=openrouter/qwen/qwen3-30b --use-task-skills',
  'skvm runs list --status=failed',
  'skvm sim serve',
];

/** `skvm --help`: every command, grouped by its first word, with its title. */
export function globalHelp(table: readonly CommandEntry[], version: string): string {
  const groups = new Map<string, CommandEntry[]>();
  for (const e of table) {
    const key = e.words[0]!;
    const list = groups.get(key) ?? [];
    list.push(e);
    groups.set(key, list);
  }
  const lines = [
    `skvm ${version} — SkVM: profile models, run and benchmark agent skills.`,
    'The same operations are served to MCP hosts by skvm-mcp.',
    '',
    'Usage: skvm <command> [--flag=value ...]',
    '       skvm <command> --help',
    '',
    'Commands:',
  ];
  if (table.length === 0) lines.push('  (none registered)');
  const all: Array<[string, string]> = [];
  for (const [first, members] of groups) {
    if (members.length > 1 || members[0]!.words.length > 1) all.push([`${first}`, '']);
    for (const m of members) {
      const indent = members.length > 1 || m.words.length > 1 ? '  ' : '';
      all.push([`${indent}${commandName(m)}`, m.title]);
    }
  }
  lines.push(...columns(all));
  lines.push('', globalFlagsHelp(), '', ...wrap(EXIT_CODES_HELP, TEXT_WIDTH), '', 'Examples (a test runs each one):', ...EXAMPLES.map((e) => `  ${e}`));
  return lines.join('\n');
}

/** `skvm config --help` when `config` is only the first word of several commands. */
export function groupHelp(prefix: readonly string[], members: readonly CommandEntry[]): string {
  const name = prefix.join(' ');
  return [
    `Commands under "skvm ${name}":`,
    ...columns(members.map((m) => [commandName(m), m.title])),
    '',
    `Run skvm ${name} <command> --help for a command's flags.`,
  ].join('\n');
}

const EFFECT_TEXT = {
  read: 'read-only',
  write: 'writes files under the cache root',
  destructive: 'destructive (deletes or overwrites)',
} as const;

/** `skvm <op> --help`: generated from the operation's schema. */
export function operationHelp(op: AnyOperation): string {
  const name = op.name.split('_').join(' ');
  const specs = flagSpecs(exposedInput(op));
  const lines = [`skvm ${name} — ${op.title}`, '', ...wrap(op.description.trim(), TEXT_WIDTH), '', `Usage: skvm ${name}${specs.length > 0 ? ' [flags]' : ''}`];
  if (op.name.includes('_')) lines.push(`       (also: skvm ${op.name}, skvm ${op.name.replace(/_/g, '-')})`);
  lines.push('');
  if (specs.length === 0) lines.push('Flags: none');
  else {
    lines.push('Flags:');
    const rows: Array<[string, string]> = specs.map((s) => [flagUsage(s), flagDescription(s, op)]);
    lines.push(...columns(rows));
  }
  lines.push('', `Effect: ${EFFECT_TEXT[op.effect]}${op.openWorld ? '; calls LLM providers' : ''}.`);
  if (op.mode === 'run') {
    lines.push(
      'This is a long operation (a run): the command shows progress on stderr and waits until the',
      'run ends; Ctrl-C cancels it (twice exits at once). With --wait-seconds=N it returns the run',
      'handle after N seconds instead.',
    );
  }
  lines.push('Output: a text summary; with --json the structured result.', ...wrap(EXIT_CODES_HELP, TEXT_WIDTH));
  if (op.cliHelp?.exitCodes) lines.push(...wrap(`For skvm ${name}: ${op.cliHelp.exitCodes}`, TEXT_WIDTH));
  lines.push('', globalFlagsHelp());
  const examples = op.cliHelp?.examples ?? [];
  if (examples.length) lines.push('', 'Examples (a test runs each one):', ...examples.map((e) => `  ${e}`));
  return lines.join('\n');
}

export function flagUsage(s: FlagSpec): string {
  if (acceptsBoolean(s.schema) && [...kindsOf(s.schema)].every((k) => k === 'boolean' || k === 'null')) {
    return `${s.flag}, --no-${s.flag.slice(2)}`;
  }
  return `${s.flag}=${valueLabel(s.schema)}`;
}

function flagDescription(s: FlagSpec, op: AnyOperation): string {
  const parts: string[] = [];
  if (s.required) parts.push('(required)');
  let desc = s.description?.trim() ?? '';
  if (op.mode === 'run' && s.name === 'waitSeconds') {
    desc = `Return the run handle after this many seconds (max ${s.schema.maximum ?? 50}) instead of waiting until the run ends.`;
  }
  if (desc) parts.push(desc.endsWith('.') ? desc : `${desc}.`);
  const range = rangeText(s.schema).trim();
  const expected = describeExpected(s.schema);
  if (expected.startsWith('one of') && !valueLabel(s.schema).includes('|')) parts.push(`One of: ${expected.slice(7)}.`);
  else if (range && !desc.includes(range)) parts.push(`Range: ${range}.`);
  if (acceptsArray(s.schema)) parts.push('Repeatable.');
  const cliDefault = (op.cliDefaults as Record<string, unknown> | undefined)?.[s.name];
  if (cliDefault !== undefined) parts.push(`Default in the terminal: ${formatDefault(cliDefault)}.`);
  else if (s.hasDefault && !(op.mode === 'run' && s.name === 'waitSeconds')) parts.push(`Default: ${formatDefault(s.default)}.`);
  if (op.mode === 'run' && s.name === 'waitSeconds') parts.push('Default: wait until the run ends.');
  return parts.join(' ');
}

function formatDefault(v: unknown): string {
  if (typeof v === 'string') return v === '' ? '""' : v;
  if (Array.isArray(v) && v.every((x) => typeof x !== 'object')) return v.length === 0 ? '(none)' : v.join(',');
  return JSON.stringify(v);
}

/** Word-wrap paragraphs (blank-line separated; existing line breaks kept) to `width` columns. */
export function wrap(text: string, width: number): string[] {
  const out: string[] = [];
  for (const line of text.split('\n')) {
    if (line.length <= width) {
      out.push(line);
      continue;
    }
    const indent = /^\s*/.exec(line)![0];
    let cur = '';
    for (const word of line.trim().split(/\s+/)) {
      if (cur && indent.length + cur.length + 1 + word.length > width) {
        out.push(indent + cur);
        cur = word;
      } else cur = cur ? `${cur} ${word}` : word;
    }
    if (cur) out.push(indent + cur);
  }
  return out;
}
