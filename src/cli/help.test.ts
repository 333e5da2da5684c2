import { describe, expect, it } from 'vitest';
import { fakeOperations, widgetBuild, widgetShow } from '../../test/cli/helpers.js';
import type { CliCommand } from './commands/index.js';
import { globalHelp, groupHelp, operationHelp, wrap } from './help.js';
import { buildTable, resolveCommand } from './table.js';

const serve: CliCommand = { words: ['sim', 'serve'], summary: 'Serve the simulator', help: 'help text', run: async () => 0 };

describe('operationHelp', () => {
  const text = operationHelp(widgetShow);
  const lines = text.split('\n');
  /** The flag's row; a long flag has its description on the next, deeper-indented line. */
  const line = (flag: string) => {
    const i = lines.findIndex((l) => l.trimStart().startsWith(flag));
    if (i < 0) return '';
    const next = lines[i + 1] ?? '';
    return /^ {8,}\S/.test(next) ? `${lines[i]} ${next.trim()}` : lines[i]!;
  };

  it('starts with the command words, title and description', () => {
    expect(text.split('\n')[0]).toBe('skvm widget show — Show a widget');
    expect(text).toContain('Show one widget by id, with its parts.');
    expect(text).toContain('Usage: skvm widget show [flags]');
    expect(text).toContain('(also: skvm widget_show, skvm widget-show)');
  });

  it('lists each flag in kebab-case with its type, required marker, enum values and default', () => {
    expect(line('--id=')).toMatch(/--id=<string>\s+\(required\) The widget id\./);
    expect(line('--detail=')).toMatch(/--detail=<brief\|full>\s+How much to show\. Default: brief\./);
    expect(line('--max-parts=')).toMatch(/--max-parts=<integer>\s+Most parts to list\. Range: from 1 to 100\. Default: 10\./);
    expect(line('--colors=')).toMatch(/--colors=<string>\[,\.\.\.\]\s+Only parts of these colors\. Repeatable\./);
    expect(line('--include-hidden')).toMatch(/--include-hidden, --no-include-hidden\s+Also list hidden parts\. Default: false\./);
    expect(line('--filter=')).toMatch(/--filter=<JSON object>\s+Extra filter as JSON\./);
    expect(text).not.toContain('maxParts');
  });

  it('shows the global flags and the effect', () => {
    expect(text).toContain('Effect: read-only.');
    for (const f of ['--json', '--quiet', '--help', '--skvm-cache=DIR', '--skvm-data-dir=DIR', '--tmp-dir=DIR']) expect(text).toContain(f);
  });

  it('explains that a run waits, and --wait-seconds returns the handle', () => {
    const run = operationHelp(widgetBuild).replace(/\s+/g, ' ');
    expect(run).toContain('This is a long operation (a run)');
    expect(run).toMatch(/--wait-seconds=<number> Return the run handle after this many seconds \(max 50\) instead of waiting until the run ends\..*Default: wait until the run ends\./);
    expect(run).not.toMatch(/Default: 25/);
  });

  it("ends with the operation's own exit-code note and examples, when it has them", () => {
    expect(text).not.toContain('Examples');
    const withHelp = operationHelp({ ...widgetBuild, cliHelp: { examples: ['skvm widget build --steps=3'], exitCodes: '1 when the widget cracked.' } }).split('\n');
    expect(withHelp.slice(-2)).toEqual(['Examples (a test runs each one):', '  skvm widget build --steps=3']);
    const codes = withHelp.findIndex((l) => l.startsWith('Exit codes:'));
    expect(withHelp.slice(codes).find((l) => l.startsWith('For '))).toBe('For skvm widget build: 1 when the widget cracked.');
  });
});

describe('globalHelp', () => {
  const table = buildTable(fakeOperations, [serve]);
  const text = globalHelp(table, '1.2.3');

  it('lists every command grouped by first word with its title', () => {
    expect(text).toContain('skvm 1.2.3');
    const lines = text.split('\n');
    const at = (s: string) => lines.findIndex((l) => l.trim().startsWith(s));
    expect(at('widget show')).toBeGreaterThan(at('widget'));
    expect(lines[at('widget show')]).toMatch(/widget show\s+Show a widget/);
    expect(lines[at('widget build')]).toMatch(/widget build\s+Build a widget/);
    expect(lines[at('widgets list')]).toMatch(/widgets list\s+List widgets/);
    expect(lines[at('sim serve')]).toMatch(/sim serve\s+Serve the simulator/);
    // Group headings stand alone on their line.
    expect(lines.some((l) => l.trim() === 'sim')).toBe(true);
    expect(text).toContain('--skvm-cache=DIR');
  });
});

describe('groupHelp', () => {
  it('lists the commands under a first word', () => {
    const table = buildTable(fakeOperations, [serve]);
    const r = resolveCommand(table, ['sim']);
    expect(r.kind).toBe('group');
    if (r.kind !== 'group') return;
    expect(groupHelp(r.prefix, r.members)).toMatch(/Commands under "skvm sim":\n\s+sim serve\s+Serve the simulator/);
  });
});

describe('resolveCommand', () => {
  const table = buildTable(fakeOperations, [serve]);
  const name = (words: string[]) => {
    const r = resolveCommand(table, words);
    return r.kind === 'found' ? `${r.entry.words.join(' ')}${r.extra.length ? ` +${r.extra.join(' ')}` : ''}` : r.kind;
  };

  it('takes the longest match', () => {
    expect(name(['widget', 'show'])).toBe('widget show');
    expect(name(['widget'])).toBe('widget');
    expect(name(['sim', 'serve'])).toBe('sim serve');
  });

  it('accepts the snake and kebab names', () => {
    expect(name(['widget_show'])).toBe('widget show');
    expect(name(['widget-show'])).toBe('widget show');
    expect(name(['sim-serve'])).toBe('sim serve');
  });

  it('treats a mistyped subcommand as unknown with suggestions', () => {
    const r = resolveCommand(table, ['widget', 'shwo']);
    expect(r.kind).toBe('unknown');
    if (r.kind === 'unknown') expect(r.suggestions[0]).toBe('widget show');
    const r2 = resolveCommand(table, ['wigdets', 'list']);
    expect(r2.kind === 'unknown' && r2.suggestions).toEqual(['widgets list']);
  });

  it('keeps extra words after a command without subcommands', () => {
    expect(name(['widgets', 'list', 'now'])).toBe('widgets list +now');
  });

  it('lets an operation win over a CLI command with the same words', () => {
    const clash: CliCommand = { words: ['widget', 'show'], summary: 'x', help: 'x', run: async () => 0 };
    const t = buildTable(fakeOperations, [clash]);
    const r = resolveCommand(t, ['widget', 'show']);
    expect(r.kind === 'found' && r.entry.kind).toBe('op');
  });
});

describe('wrap', () => {
  it('wraps long lines at word boundaries', () => {
    const lines = wrap('aaa bbb ccc ddd', 8);
    expect(lines).toEqual(['aaa bbb', 'ccc ddd']);
  });
});

describe('every command documents every flag', () => {
  /** Rows of the "Flags:" block whose flag has no text beside it or on the next, deeper line. */
  function undescribed(help: string): string[] {
    const lines = help.split('\n');
    const start = lines.findIndex((l) => l.startsWith('Flags:'));
    if (start < 0) return [];
    const out: string[] = [];
    for (let i = start + 1; i < lines.length && lines[i]!.trim() !== ''; i++) {
      const m = /^( +)(--\S+(?:, --\S+)?)(.*)$/.exec(lines[i]!);
      if (!m) continue;
      const next = lines[i + 1] ?? '';
      const continued = next.startsWith(' '.repeat(m[1]!.length + 2)) && !next.trimStart().startsWith('--');
      if (m[3]!.trim() === '' && !continued) out.push(m[2]!);
    }
    return out;
  }

  it('operations: every field has a description, shown in its help', async () => {
    const [{ operations }, { exposedInput }, { flagSpecs }] = await Promise.all([import('../../tools/index.js'), import('../contract/invoke.js'), import('./schema.js')]);
    for (const op of operations) {
      for (const s of flagSpecs(exposedInput(op))) expect(s.description?.trim(), `${op.name} ${s.flag}`).toBeTruthy();
      expect(undescribed(operationHelp(op)), op.name).toEqual([]);
    }
  });

  it('CLI-only commands: every flag row has text', async () => {
    const { cliCommands } = await import('./commands/index.js');
    for (const c of cliCommands) {
      expect(c.help, c.words.join(' ')).toMatch(/\nFlags:\n/);
      expect(undescribed(c.help), c.words.join(' ')).toEqual([]);
    }
  });

  it('the check notices a flag without text', () => {
    expect(undescribed('Flags:\n  --a=<x>   The a.\n  --b\n  --c=<y>   Long\n            text.\n')).toEqual(['--b']);
  });
});
