import { writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineOperation } from '../contract/operation.js';
import { captureIo, fakeOperations, type CapturedIo } from '../../test/cli/helpers.js';
import { createEngine, type Engine, type EngineOptions } from '../engine/engine.js';
import { runCli, type CliDeps } from './cli.js';
import { cliCommands } from './commands/index.js';
import { tempDirs } from '../../test/tmp.js';

const tempCache = tempDirs('skvm-cli-');

const engines: Array<{ opts: EngineOptions; engine: Engine }> = [];
const deps: CliDeps = {
  operations: fakeOperations,
  commands: cliCommands,
  createEngine: (opts) => {
    const engine = createEngine(opts);
    engines.push({ opts, engine });
    return engine;
  },
};

async function cli(args: string[], io: CapturedIo = captureIo()): Promise<{ code: number; out: string; err: string; io: CapturedIo }> {
  const code = await runCli([...args, `--skvm-cache=${tempCache()}`], io, deps);
  return { code, out: io.stdoutText(), err: io.stderrText(), io };
}

async function until(cond: () => boolean, ms = 5_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('instant operations', () => {
  it('runs a command and prints its summary', async () => {
    const r = await cli(['widget', 'show', '--id=w1', '--colors=red', '--colors', 'blue', '--detail', 'full']);
    expect(r.err).toBe('');
    expect(r.out).toBe('widget w1 (full, ≤10 parts, colors red+blue)\n');
    expect(r.code).toBe(0);
  });

  it('prints the structured output with --json (defaults applied)', async () => {
    const r = await cli(['--json', 'widget-show', '--id', 'w2', '--include-hidden', '--max-parts=3']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out)).toEqual({ id: 'w2', detail: 'brief', maxParts: 3, colors: [], includeHidden: true });
  });

  it('runs the shorter command when no longer one matches', async () => {
    const r = await cli(['widget']);
    expect(r.out).toBe('2 widgets\n');
  });

  it('exits 1 with error and hint when the operation fails', async () => {
    const r = await cli(['widget', 'show', '--id=missing']);
    expect(r.code).toBe(1);
    expect(r.out).toBe('');
    expect(r.err).toBe('error: No widget "missing".\nhint: skvm widgets list shows the ids.\n');
  });

  it('exits 2 when the operation rejects its input as a usage error', async () => {
    const r = await cli(['widget', 'show', '--id=malformed']);
    expect(r.code).toBe(2);
    expect(r.err).toContain('error: The id "malformed" is malformed.');
  });

  it('cancels through the AbortSignal on Ctrl-C', async () => {
    const io = captureIo();
    const p = cli(['widget', 'wait'], io);
    const before = engines.length;
    await until(() => engines.length > before);
    await new Promise((r) => setTimeout(r, 50));
    io.signal('SIGINT');
    const r = await p;
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/Cancelling/);
    expect(r.err).toMatch(/error: Cancelled/);
  });
});

describe('verdicts and exit codes', () => {
  it('exits 3 when the operation ran but did not pass, with the result on stdout', async () => {
    const r = await cli(['widget', 'check', '--score=0.4']);
    expect(r.code).toBe(3);
    expect(r.out).toBe('score 0.4\n');
    expect(r.err).toBe('not passed: scored 0.4, below 0.5\n');
    const ok = await cli(['widget', 'check', '--score=0.9']);
    expect(ok.code).toBe(0);
  });

  it('exits 1 when a finished result is a failure, naming CLI commands and flags in the hint', async () => {
    const r = await cli(['widget', 'check', '--score=-1', '--json']);
    expect(r.code).toBe(1);
    expect(JSON.parse(r.out)).toEqual({ score: -1 });
    expect(r.err).toBe('error: The checker crashed.\nhint: Run skvm widgets list, then retry with --max-parts=3 or --score=0.5.\n');
  });

  it('translates a thrown error the same way', async () => {
    const r = await cli(['widget', 'show', '--id=missing']);
    expect(r.err).toContain('hint: skvm widgets list shows the ids.');
  });
});

describe('usage errors exit 2', () => {
  it('names a bad flag in kebab-case and points at the help', async () => {
    const r = await cli(['widget', 'show', '--id=a', '--maxParts=many']);
    expect(r.code).toBe(2);
    expect(r.err).toBe('error: --max-parts: expected an integer from 1 to 100, got "many"\nhint: see skvm widget show --help\n');
  });

  it('reports unknown flags and missing required flags', async () => {
    const r = await cli(['widget', 'show', '--colour=red']);
    expect(r.code).toBe(2);
    expect(r.err).toContain('error: unknown flag --colour (did you mean --colors?)');
    expect(r.err).toContain('error: missing required flag --id');
  });

  it('reports an unknown command with suggestions', async () => {
    const r = await cli(['widget', 'shwo']);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/error: unknown command "skvm widget shwo"\nhint: did you mean "skvm widget show"/);
  });

  it('reports a group without subcommand, and extra words', async () => {
    const g = await cli(['sim']);
    expect(g.code).toBe(2);
    expect(g.err).toMatch(/"skvm sim" needs a subcommand/);
    const x = await cli(['widgets', 'list', 'now']);
    expect(x.code).toBe(2);
    expect(x.err).toMatch(/unexpected argument "now"/);
  });

  it('prints the global help on stderr without a command', async () => {
    const r = await cli([]);
    expect(r.code).toBe(2);
    expect(r.out).toBe('');
    expect(r.err).toContain('widget show');
  });
});

describe('help and version', () => {
  it('--help lists commands; <cmd> --help and `help <cmd>` show the command', async () => {
    const g = await cli(['--help']);
    expect(g.code).toBe(0);
    expect(g.out).toMatch(/widget show\s+Show a widget/);
    expect(g.out).toMatch(/sim serve\s+Serve the LLM simulator/);
    const c = await cli(['widget', 'show', '-h']);
    expect(c.out).toMatch(/^skvm widget show — Show a widget/);
    expect(c.out).toContain('--max-parts=<integer>');
    const h = await cli(['help', 'widget', 'show']);
    expect(h.out).toBe(c.out);
    const s = await cli(['sim', 'serve', '--help']);
    expect(s.out).toMatch(/SkVM simulator — not a real model/);
  });

  it('--version prints the package version', async () => {
    const r = await cli(['--version']);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^\d+\.\d+\.\d+\S*\n$/);
  });
});

describe('global flags', () => {
  it('passes --skvm-cache, --skvm-data-dir and --tmp-dir to the engine and not to the command', async () => {
    engines.length = 0;
    const cache = tempCache();
    const io = captureIo();
    const code = await runCli(['widget', 'show', '--tmp-dir', '/tmp/x', '--id=a', `--skvm-cache=${cache}`, '--skvm-data-dir=/data/d'], io, deps);
    expect(io.stderrText()).toBe('');
    expect(code).toBe(0);
    expect(engines).toHaveLength(1);
    expect(engines[0]!.opts.flags).toEqual({ tmpDir: '/tmp/x', cache, dataDir: '/data/d' });
    expect(engines[0]!.engine.roots.cache.value).toBe(cache);
    expect(engines[0]!.engine.tmpDir().value).toBe('/tmp/x');
  });
});

describe('run operations', () => {
  it('waits until the run ends, with piped progress lines on stderr', async () => {
    const r = await cli(['widget', 'build', '--steps=3', '--step-ms=5']);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^built 3 steps\n\[run run-\S+ succeeded\]\n$/);
    const lines = r.err.trim().split('\n');
    expect(lines[0]).toMatch(/^progress 1\/3 step 1$/);
    expect(lines.at(-1)).toBe('progress 3/3 step 3');
    expect(lines.every((l) => l.startsWith('progress '))).toBe(true);
  });

  it('draws a single redrawn bar on a terminal and clears it at the end', async () => {
    const r = await cli(['widget', 'build', '--steps=4'], captureIo({ isTTY: true }));
    expect(r.code).toBe(0);
    expect(r.err).toMatch(/^\r\x1b\[2K\[#####---------------\] 1\/4 step 1/);
    expect(r.err).not.toContain('\n');
    expect(r.err.endsWith('\r\x1b[2K')).toBe(true);
    expect(r.out).toMatch(/^built 4 steps\n/);
  });

  it('prints no progress with --quiet, and the envelope with --json', async () => {
    const r = await cli(['widget', 'build', '--steps=2', '--quiet', '--json']);
    expect(r.code).toBe(0);
    expect(r.err).toBe('');
    const env = JSON.parse(r.out);
    expect(env).toMatchObject({ operation: 'widget_build', status: 'succeeded', result: { built: 2 } });
  });

  it('exits 1 with the error and hint when the run fails', async () => {
    const r = await cli(['widget', 'build', '--steps=1', '--fail', '--json']);
    expect(r.code).toBe(1);
    expect(JSON.parse(r.out)).toMatchObject({ status: 'failed', error: { message: 'The widget cracked.' } });
    expect(r.err).toMatch(/error: Run run-\S+ \(skvm widget build\) failed: The widget cracked\.\nhint: Use fewer steps\.\n$/);
  });

  it('returns the handle after --wait-seconds', async () => {
    const r = await cli(['widget', 'build', '--steps=0', '--block', '--wait-seconds=0']);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/Run run-\S+ \(skvm widget build\) is (queued|running)/);
    expect(r.err).toMatch(/note: run run-\S+ is still (queued|running)/);
  });

  it('first Ctrl-C cancels the run and exits 1 after it settles', async () => {
    const io = captureIo();
    const p = cli(['widget', 'build', '--steps=1', '--block', '--json'], io);
    await until(() => io.stderrText().includes('progress 1/1'));
    io.signal('SIGINT');
    const r = await p;
    expect(r.code).toBe(1);
    expect(JSON.parse(r.out).status).toBe('cancelled');
    expect(r.err).toMatch(/Cancelling the run/);
    expect(r.err).toMatch(/error: Run run-\S+ \(skvm widget build\) cancelled/);
    expect(io.exits).toEqual([]);
  });

  it('a second Ctrl-C exits at once', async () => {
    const io = captureIo();
    const p = cli(['widget', 'build', '--steps=1', '--block'], io);
    await until(() => io.stderrText().includes('progress 1/1'));
    io.signal('SIGINT');
    expect(() => io.signal('SIGINT')).toThrow('exitNow(1)');
    expect(io.exits).toEqual([1]);
    expect(io.stderrText()).toMatch(/Interrupted again; exiting now/);
    await p; // the first Ctrl-C still cancels the run in this test process
  });
});

describe('sim serve (in process)', () => {
  it('documents every registered policy type in its help', async () => {
    await import('../engine/sim/policies/builtin-types.js');
    const { listPolicyTypes } = await import('../engine/sim/policy-registry.js');
    const r = await cli(['sim', 'serve', '--help']);
    const names = listPolicyTypes().map((t) => t.name);
    expect(names.length).toBeGreaterThan(3);
    for (const name of names) expect(r.out, name).toMatch(new RegExp(`^  ${name} `, 'm'));
  });

  it('serves until SIGTERM and prints the URLs and routes', async () => {
    const io = captureIo();
    const p = cli(['sim', 'serve', '--port=0', '--json'], io);
    await until(() => io.out.length > 0);
    const info = JSON.parse(io.stdoutText());
    expect(info.simulator).toBe(true);
    expect(info.routes.map((r: { kind: string }) => r.kind)).toEqual(['openai-compatible', 'anthropic']);
    const health = await fetch(`${info.url}/health`);
    expect(await health.json()).toMatchObject({ ok: true, simulator: true });
    io.signal('SIGTERM');
    const r = await p;
    expect(r.code).toBe(0);
    expect(r.err).toContain('SkVM simulator — not a real model');
    expect(r.err).toMatch(/stopped \(SIGTERM\) after 0 requests/);
  });

  it('rejects a bad policy file with exit 2 and the loader message', async () => {
    const dir = tempCache();
    const file = path.join(dir, 'policy.json');
    writeFileSync(file, '{"policy": "telepathy"}');
    const r = await cli(['sim', 'serve', `--policy=${file}`]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/error: .*unknown policy type "telepathy"/);
    const bad = await cli(['sim', 'serve', '--port=99999']);
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/--port: expected an integer from 0 to 65535/);
  });
});

describe('terminal presentation of a result', () => {
  // An operation whose terminal default differs from its tool default, and whose summary can be coloured.
  const paint = defineOperation({
    name: 'paint',
    title: 'Paint',
    description: 'Paints (tests cliDefaults and coloured summaries).',
    input: z.strictObject({ detail: z.enum(['summary', 'full']).default('summary').describe('How much to show') }),
    output: z.object({ detail: z.string() }),
    effect: 'read',
    idempotent: true,
    openWorld: false,
    mode: 'instant',
    cliDefaults: { detail: 'full' },
    handler: async (input) => ({ detail: input.detail }),
    summarize: (o, style) => `${o.detail} ${style?.color ? 'in colour' : 'plain'}`,
  });
  const run = async (args: string[], color: boolean) => {
    const io = { ...captureIo(), color };
    const code = await runCli([...args, `--skvm-cache=${tempCache()}`], io, { ...deps, operations: [paint] });
    return { code, out: io.stdoutText() };
  };

  it('uses the terminal default unless the flag is given, and colours only for a colour terminal', async () => {
    expect(await run(['paint'], true)).toEqual({ code: 0, out: 'full in colour\n' });
    expect(await run(['paint', '--detail=summary'], false)).toEqual({ code: 0, out: 'summary plain\n' });
    expect((await run(['paint', '--help'], false)).out).toContain('Default in the terminal: full.');
  });
});
