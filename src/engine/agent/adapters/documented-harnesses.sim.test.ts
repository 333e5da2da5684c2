import { chmodSync, promises as fsp, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runRealHarness, TASK_PROMPT } from '../../../../test/adapters/real-cli.js';
import { tempDirs } from '../../../../test/tmp.js';
import { FIXTURE_SKILL } from '../../../../scripts/transcript-fixtures/produce.js';
import { CancelledError } from '../../util/errors.js';
import { INJECTED_SENTINEL } from './cli/skills.js';

/**
 * The Hermes and OpenClaw adapters end to end through runAgent, with a stand-in for the CLI
 * (neither runs on this machine: see samples/README.md). The stand-in records what the adapter
 * gave it — arguments, environment, the config files in the private home, the skills — and
 * answers with the documented output samples, so the whole path is checked: managed config from
 * the route, skill delivery, key handling, output parsing, conversation log, cleanup.
 */

const SAMPLES = path.join(path.dirname(fileURLToPath(import.meta.url)), 'samples');
const SIM_KEY = 'sk-skvm-adapter-test-route-key-0123456789';
const tmp = tempDirs('skvm-documented-harness-', { everyone: true });
const readFileSyncSample = (rel: string) => readFileSync(path.join(SAMPLES, rel), 'utf8');

interface Record_ {
  argv: string[];
  env: Record<string, string>;
  files: Record<string, string>;
}

/** A node script standing in for the harness CLI; `body` runs after the record is written to `<cwd>/.stand-in.json`. */
function standIn(dir: string, name: string, readFiles: string, body: string): string {
  const file = path.join(dir, name);
  writeFileSync(
    file,
    `#!/usr/bin/env node
const fs = require('fs'), path = require('path');
const env = process.env;
const read = (f) => { try { return fs.readFileSync(f, 'utf8'); } catch { return null; } };
const walk = (d) => { try { return fs.readdirSync(d, { recursive: true }).map(String).sort(); } catch { return []; } };
const files = ${readFiles};
fs.writeFileSync(path.join(process.cwd(), '.stand-in.json'), JSON.stringify({ argv: process.argv.slice(2), env, files }));
${body}
`,
  );
  chmodSync(file, 0o755);
  return file;
}

async function recorded(workDir: string): Promise<Record_> {
  return JSON.parse(await fsp.readFile(path.join(workDir, '.stand-in.json'), 'utf8')) as Record_;
}

function expectKeyOnlyWhereRead(rec: Record_): void {
  expect(rec.argv.join(' ')).not.toContain(SIM_KEY);
  expect(rec.env.HOME).toMatch(/skvm-home-/);
}

describe('hermes adapter with a stand-in CLI', () => {
  const hermes = (dir: string) =>
    standIn(
      dir,
      'hermes',
      `{ config: read(path.join(env.HERMES_HOME, 'config.yaml')), skills: walk(path.join(env.HERMES_HOME, 'skills')).join(',') }`,
      `if (process.argv[2] === 'chat') process.stdout.write(${JSON.stringify(readFileSyncSample('hermes/chat-stdout.txt'))});
else if (process.argv[2] === 'sessions' && process.argv.includes('20261206_024123_a1b2c3')) process.stdout.write(${JSON.stringify(readFileSyncSample('hermes/session-export.json'))});
else process.exit(2);`,
    );

  it('inject: the skill before the task in -q, a managed config from the route, the export parsed and kept as the log', async () => {
    const root = tmp();
    const r = await runRealHarness({ adapter: 'hermes', bin: hermes(root), kind: 'openai-compatible', model: 'sim/sim-hermes', skillMode: 'inject', tmpRoot: root });
    const rec = await recorded(r.workDir);
    expect(rec.argv.slice(0, 3)).toEqual(['chat', '-Q', '-q']);
    const message = rec.argv[3]!;
    expect(message.indexOf(INJECTED_SENTINEL)).toBe(0);
    expect(message).toContain('# Tidy notes');
    expect(message.endsWith(TASK_PROMPT)).toBe(true);
    expect(rec.argv.slice(4)).toEqual(['-m', 'sim-hermes', '-t', 'terminal,file', '--max-turns', '20', '--yolo', '--source', 'tool']);
    expectKeyOnlyWhereRead(rec);
    const config = JSON.parse(rec.files.config!) as { model: Record<string, string>; custom_providers: Array<Record<string, string>> };
    expect(config.model).toMatchObject({ default: 'sim-hermes', provider: 'custom:skvm-managed', api_mode: 'chat_completions' });
    expect(config.custom_providers[0]).toMatchObject({ name: 'skvm-managed', api_key: SIM_KEY });
    expect(config.custom_providers[0]!.base_url).toMatch(/^http:\/\/127\.0\.0\.1:\d+/);

    expect(r.run).toMatchObject({ runStatus: 'ok', skillLoaded: true, usageAvailable: true, cost: 0.0042, tokens: { input: 5200, output: 150, cacheRead: 1200, cacheWrite: 0 } });
    expect(r.run.steps.filter((s) => s.role === 'tool').flatMap((s) => s.toolCalls).map((c) => [c.name, c.exitCode])).toEqual([['write_file', undefined], ['terminal', 1]]);
    expect(JSON.parse(r.convLog)).toMatchObject({ id: '20261206_024123_a1b2c3' });
    expect((await fsp.readdir(root)).filter((n) => n.startsWith('skvm-home-'))).toEqual([]);
  });

  it('discover: the skill installed in HERMES_HOME/skills and named with -s; not loaded unless the answer shows it', async () => {
    const root = tmp();
    const r = await runRealHarness({ adapter: 'hermes', bin: hermes(root), kind: 'openai-compatible', model: 'sim/sim-hermes', skillMode: 'discover', tmpRoot: root });
    const rec = await recorded(r.workDir);
    expect(rec.argv.slice(-2)).toEqual(['-s', FIXTURE_SKILL.name]);
    expect(rec.argv[3]).not.toContain(INJECTED_SENTINEL);
    expect(rec.files.skills!.split(',')).toContain(`${FIXTURE_SKILL.name}/SKILL.md`);
    expect(r.run).toMatchObject({ runStatus: 'ok', skillLoaded: false });
  });
});

describe('openclaw adapter with a stand-in CLI', () => {
  const openclaw = (dir: string) =>
    standIn(
      dir,
      'openclaw',
      `{ config: read(path.join(env.OPENCLAW_STATE_DIR, 'openclaw.json')), bootstrap: read(path.join(process.cwd(), 'BOOTSTRAP.md')), skills: walk(path.join(process.cwd(), 'skills')).join(',') }`,
      `const sessions = path.join(env.OPENCLAW_STATE_DIR, 'agents', 'skvm', 'sessions');
fs.mkdirSync(sessions, { recursive: true });
fs.writeFileSync(path.join(sessions, 'bench.jsonl'), ${JSON.stringify(readFileSyncSample('openclaw/session.jsonl'))});
process.stdout.write('agent finished\\n');`,
    );

  it('inject: BOOTSTRAP.md in the workspace (the work dir), the task unprefixed, a managed provider, the transcript parsed and kept as the log', async () => {
    const root = tmp();
    const r = await runRealHarness({ adapter: 'openclaw', bin: openclaw(root), kind: 'openai-compatible', model: 'sim/sim-openclaw', skillMode: 'inject', tmpRoot: root });
    const rec = await recorded(r.workDir);
    expect(rec.argv[0]).toBe('agent');
    expect(rec.argv.slice(1, 3)).toEqual(['--agent', 'skvm']);
    expect(rec.argv[rec.argv.indexOf('--message') + 1]).toBe(TASK_PROMPT);
    expect(rec.argv.at(-1)).toBe('--local');
    expectKeyOnlyWhereRead(rec);
    expect(rec.files.bootstrap).toContain(INJECTED_SENTINEL);
    expect(rec.files.bootstrap).toContain('# Tidy notes');
    const config = JSON.parse(rec.files.config!) as { agents: { list: Array<Record<string, unknown>> }; models: { providers: Record<string, Record<string, unknown>> } };
    expect(config.agents.list[0]).toMatchObject({ id: 'skvm', workspace: r.workDir, model: { primary: 'skvm/sim-openclaw', fallbacks: [] } });
    expect(config.models.providers.skvm).toMatchObject({ api: 'openai-completions', apiKey: SIM_KEY, models: [{ id: 'sim-openclaw' }] });

    expect(r.run).toMatchObject({ runStatus: 'ok', skillLoaded: true, usageAvailable: true, tokens: { input: 4300, output: 90, cacheRead: 2400, cacheWrite: 0 } });
    expect(r.run.text).toBe('Done: notes.txt is written; missing-input.txt does not exist.');
    expect(r.convLog).toBe(readFileSyncSample('openclaw/session.jsonl'));
    expect((await fsp.readdir(root)).filter((n) => n.startsWith('skvm-home-'))).toEqual([]);
  });

  /** Exits at once; a detached child writes the transcript `lateMs` later, half a line first (or never, when undefined). */
  const lateOpenclaw = (dir: string, lateMs: number | undefined) =>
    standIn(
      dir,
      'openclaw',
      '{}',
      lateMs === undefined
        ? ''
        : `const file = path.join(env.OPENCLAW_STATE_DIR, 'agents', 'skvm', 'sessions', 'late.jsonl');
const text = ${JSON.stringify(readFileSyncSample('openclaw/session.jsonl'))};
const writer = \`const fs = require('fs');
setTimeout(() => fs.writeFileSync(\${JSON.stringify(file)}, \${JSON.stringify(text.slice(0, 40))}), ${lateMs});
setTimeout(() => fs.writeFileSync(\${JSON.stringify(file)}, \${JSON.stringify(text)}), ${lateMs + 200});\`;
require('child_process').spawn(process.execPath, ['-e', writer], { detached: true, stdio: 'ignore' }).unref();`,
    );

  it('a transcript written after the CLI exited is waited for, and read as soon as it is complete', async () => {
    const root = tmp();
    const started = Date.now();
    const r = await runRealHarness({ adapter: 'openclaw', bin: lateOpenclaw(root, 1500), kind: 'openai-compatible', model: 'sim/sim-openclaw', skillMode: 'inject', tmpRoot: root });
    const elapsed = Date.now() - started;
    expect(r.run).toMatchObject({ runStatus: 'ok', usageAvailable: true, text: 'Done: notes.txt is written; missing-input.txt does not exist.' });
    expect(r.convLog).toBe(readFileSyncSample('openclaw/session.jsonl'));
    // Complete at 1.7 s; looked for every 100 ms, not once a second.
    expect(elapsed).toBeGreaterThanOrEqual(1700);
    expect(elapsed).toBeLessThan(3500);
  });

  it('the wait is bounded (10 s): no transcript at all is telemetry only', async () => {
    const root = tmp();
    const started = Date.now();
    const r = await runRealHarness({ adapter: 'openclaw', bin: lateOpenclaw(root, undefined), kind: 'openai-compatible', model: 'sim/sim-openclaw', skillMode: 'inject', tmpRoot: root });
    const elapsed = Date.now() - started;
    expect(r.run).toMatchObject({ runStatus: 'ok', usageAvailable: false, cost: null, steps: [] });
    expect(r.run.statusDetail).toMatch(/telemetry only/);
    expect(elapsed).toBeGreaterThanOrEqual(10_000);
    expect(elapsed).toBeLessThan(14_000);
  }, 30_000);

  it('the wait is cancellable: cancelling while it waits rejects with CancelledError at once', async () => {
    const root = tmp();
    const ctl = new AbortController();
    const started = Date.now();
    setTimeout(() => ctl.abort('test cancels'), 1500);
    const err = await runRealHarness({ adapter: 'openclaw', bin: lateOpenclaw(root, undefined), kind: 'openai-compatible', model: 'sim/sim-openclaw', skillMode: 'inject', tmpRoot: root, signal: ctl.signal }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CancelledError);
    expect(Date.now() - started).toBeLessThan(3000);
    expect((await fsp.readdir(root)).filter((n) => n.startsWith('skvm-home-'))).toEqual([]);
  });

  it('discover: the skill in the workspace skills/ folder, no BOOTSTRAP.md', async () => {
    const root = tmp();
    const r = await runRealHarness({ adapter: 'openclaw', bin: openclaw(root), kind: 'openai-compatible', model: 'sim/sim-openclaw', skillMode: 'discover', tmpRoot: root });
    const rec = await recorded(r.workDir);
    expect(rec.files.bootstrap).toBeNull();
    expect(rec.files.skills!.split(',')).toContain(`${FIXTURE_SKILL.name}/SKILL.md`);
    // The sample transcript reads skills/tidy-notes/SKILL.md.
    expect(r.run.skillLoaded).toBe(true);
  });
});
