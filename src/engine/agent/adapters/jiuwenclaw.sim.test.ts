import { chmodSync, existsSync, mkdirSync, promises as fsp, readFileSync, writeFileSync } from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runRealHarness, TASK_PROMPT } from '../../../../test/adapters/real-cli.js';
import { tempDirs } from '../../../../test/tmp.js';
import { isCommandUid } from '../../sandbox/identity.js';
import { INJECTED_SENTINEL } from './cli/skills.js';

/**
 * The JiuwenClaw adapter end to end through runAgent with stand-ins (JiuwenClaw is PyPI-only and
 * cannot be installed here): `jiuwenclaw-cli` is a script whose interpreter is a stand-in
 * "python" — which, run as `-m jiuwenclaw.app`, is the sidecar: it listens on JiuwenClaw's port
 * and records the `.env` it finds under its HOME. The CLI answers with the documented samples.
 */

const SAMPLES = path.join(path.dirname(fileURLToPath(import.meta.url)), 'samples', 'jiuwenclaw');
const SIM_KEY = 'sk-skvm-adapter-test-route-key-0123456789';
const PORT = 19001;
const tmp = tempDirs('skvm-jiuwenclaw-', { everyone: true });

/** The stand-in sidecar reports to <dir>/report/sidecar.json: a folder its unprivileged user (a root engine's) may write. */
function standIns(dir: string): string {
  const report = path.join(dir, 'report');
  mkdirSync(report);
  chmodSync(report, 0o777);
  const python = path.join(dir, 'python');
  writeFileSync(
    python,
    `#!/usr/bin/env node
const fs = require('fs'), path = require('path'), http = require('http');
if (process.argv[2] === '-m' && process.argv[3] === 'jiuwenclaw.app') {
  const env = fs.readFileSync(path.join(process.env.HOME, '.jiuwenclaw', 'config', '.env'), 'utf8');
  fs.writeFileSync(path.join(${JSON.stringify(report)}, 'sidecar.json'), JSON.stringify({ home: process.env.HOME, env, uid: process.getuid() }));
  http.createServer((req, res) => res.end('ok')).listen(${PORT}, '127.0.0.1');
} else {
  require(process.argv[2]);
}
`,
  );
  const cli = path.join(dir, 'jiuwenclaw-cli');
  writeFileSync(
    cli,
    `#!${python}
const fs = require('fs'), path = require('path'), http = require('http');
const [cmd, flag, sid, message] = process.argv.slice(3);
if (cmd !== 'acp' || flag !== '--session-id') process.exit(2);
fs.writeFileSync(path.join(process.cwd(), '.stand-in.json'), JSON.stringify({ sid, message }));
http.get('http://127.0.0.1:${PORT}/', (res) => {
  const sessions = path.join(process.env.HOME, '.jiuwenclaw', 'agent', 'sessions', sid);
  fs.mkdirSync(sessions, { recursive: true });
  fs.writeFileSync(path.join(sessions, 'history.json'), ${JSON.stringify(readFileSync(path.join(SAMPLES, 'history.json'), 'utf8'))});
  const reply = JSON.parse(${JSON.stringify(readFileSync(path.join(SAMPLES, 'acp-stdout.json'), 'utf8'))});
  reply.result.session_id = sid;
  process.stdout.write(JSON.stringify(reply) + '\\n');
}).on('error', () => process.exit(3));
`,
  );
  chmodSync(python, 0o755);
  chmodSync(cli, 0o755);
  return cli;
}

function listening(): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect({ host: '127.0.0.1', port: PORT });
    s.once('connect', () => (s.destroy(), resolve(true)));
    s.once('error', () => resolve(false));
  });
}

describe('jiuwenclaw adapter with stand-ins', () => {
  it('starts its own sidecar with the .env in the private home, parses the reply and history, and stops the sidecar', async () => {
    const userEnv = path.join(process.env.HOME ?? '/nonexistent', '.jiuwenclaw', 'config', '.env');
    const userEnvBefore = existsSync(userEnv) ? await fsp.readFile(userEnv, 'utf8') : undefined;
    const root = tmp();
    const r = await runRealHarness({ adapter: 'jiuwenclaw', bin: standIns(root), kind: 'openai-compatible', model: 'sim/sim-jw', skillMode: 'inject', tmpRoot: root });

    const sidecar = JSON.parse(await fsp.readFile(path.join(root, 'report', 'sidecar.json'), 'utf8')) as { home: string; env: string; uid: number };
    expect(sidecar.home).toMatch(/skvm-home-jiuwenclaw-/);
    // A root engine runs the sidecar as the run's unprivileged user, like the CLI.
    if (process.getuid?.() === 0) expect(isCommandUid(sidecar.uid)).toBe(true);
    expect(sidecar.env).toContain(`API_KEY="${SIM_KEY}"`);
    expect(sidecar.env).toContain('MODEL_NAME="sim-jw"');
    expect(sidecar.env).toMatch(/API_BASE="http:\/\/127\.0\.0\.1:\d+/);
    const call = JSON.parse(await fsp.readFile(path.join(r.workDir, '.stand-in.json'), 'utf8')) as { sid: string; message: string };
    expect(call.message.indexOf(INJECTED_SENTINEL)).toBe(0);
    expect(call.message.endsWith(TASK_PROMPT)).toBe(true);
    expect(call.message).not.toContain(SIM_KEY);

    expect(r.run).toMatchObject({ runStatus: 'ok', skillLoaded: true, usageAvailable: false, cost: null, text: 'Done: notes.txt is written; missing-input.txt does not exist.' });
    expect(r.run.steps.filter((s) => s.role === 'tool').flatMap((s) => s.toolCalls).map((c) => c.name)).toEqual(['write_file', 'bash']);
    expect(JSON.parse(r.convLog)).toMatchObject({ jsonrpc_response: { result: { session_id: call.sid } }, history: expect.any(Array) });
    expect(await listening()).toBe(false);
    expect((await fsp.readdir(root)).filter((n) => n.startsWith('skvm-home-'))).toEqual([]);
    expect(existsSync(userEnv) ? await fsp.readFile(userEnv, 'utf8') : undefined).toBe(userEnvBefore);
  });

  it('refuses to run when something else holds the sidecar port, and leaves that process alone', async () => {
    const other = net.createServer((s) => s.end());
    await new Promise<void>((resolve) => other.listen(PORT, '127.0.0.1', resolve));
    try {
      const root = tmp();
      await expect(runRealHarness({ adapter: 'jiuwenclaw', bin: standIns(root), kind: 'openai-compatible', model: 'sim/sim-jw', skillMode: 'inject', tmpRoot: root })).rejects.toThrow(/port 127\.0\.0\.1:19001 is already in use/);
      expect(existsSync(path.join(root, 'report', 'sidecar.json'))).toBe(false);
      expect(await listening()).toBe(true);
      expect((await fsp.readdir(root)).filter((n) => n.startsWith('skvm-home-'))).toEqual([]);
    } finally {
      await new Promise((resolve) => other.close(resolve));
    }
  });
});
