import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { KILL_GRACE_MS, openForRead } from '../../sandbox/index.js';
import { SkvmError } from '../../util/errors.js';
import { shebang } from './cli/binary.js';
import { defineCliAdapter } from './cli/cli-adapter.js';
import { harnessEnv } from './cli/child-env.js';
import type { HarnessUser } from './cli/harness-user.js';
import type { RunScope } from './types.js';
import { injectedText } from './cli/skills.js';
import { jiuwenclawReply, parseJiuwenclawRun } from './jiuwenclaw-output.js';

/**
 * JiuwenClaw (`jiuwenclaw-cli acp`; spec runtime §2.10), managed only. The CLI talks to a
 * sidecar server (`python -m jiuwenclaw.app`, 127.0.0.1:19001) that reads its model settings
 * from `~/.jiuwenclaw/config/.env`. Unlike the reference, which rewrote the user's own `.env`,
 * killed sidecars by name and held a host-wide lock, each run starts its own sidecar with HOME
 * at the private home — so that `.env` is ours, in a folder deleted after the run — and stops
 * exactly that process group when the run scope closes (also on cancellation). The port is
 * fixed by JiuwenClaw: when something else already listens there (the user's own JiuwenClaw,
 * or another run), the run is refused, never the other process stopped; runs in this process
 * take turns. Skills travel in the prompt in both modes. Known limitation (as in the
 * reference): the agent works in its own workspace, not in the work directory.
 */

const SIDECAR_PORT = 19001;
const SIDECAR_START_MS = 60_000;
/** One sidecar at a time per process: the port is fixed. */
let sidecarTurn: Promise<void> = Promise.resolve();

const dataDir = (home: string) => path.join(home, '.jiuwenclaw');

export const jiuwenclawAdapter = defineCliAdapter({
  name: 'jiuwenclaw',
  managedKinds: ['openai-compatible', 'openrouter'],
  async prepare({ opts, binary, home, endpoint, prompt, scope, user }) {
    // Managed only (harnesses.ts), so the runtime always gives the route.
    if (!endpoint) throw new SkvmError('JiuwenClaw runs in managed mode only.', { hint: 'Use adapterConfig "managed".' });
    const configDir = path.join(dataDir(home), 'config');
    await fsp.mkdir(configDir, { recursive: true });
    const dotenv = { API_BASE: endpoint.baseUrl, API_KEY: endpoint.apiKey, MODEL_NAME: endpoint.backendModel, MODEL_PROVIDER: 'OpenAI', BROWSER_RUNTIME_MCP_ENABLED: '0' };
    await fsp.writeFile(path.join(configDir, '.env'), Object.entries(dotenv).map(([k, v]) => `${k}=${JSON.stringify(v)}\n`).join(''), { mode: 0o600 });
    await takeSidecarTurn(scope);
    // The sidecar is a harness process too: it starts as the harness's user, after the hand-over.
    await user.handOver();
    await startSidecar(await sidecarPython(binary), home, binary, user.spawnIds, scope, opts.signal);
    const message = opts.skills ? `${injectedText(opts.skills.skills)}\n---\n\n${prompt}` : prompt;
    return { args: ['acp', '--session-id', `skvm_${Date.now()}_${randomBytes(3).toString('hex')}`, message], env: {} };
  },
  async parse({ opts, home, outputPath }) {
    const stdout = await fsp.readFile(outputPath, 'utf8').catch(() => '');
    const reply = jiuwenclawReply(stdout);
    const sid = typeof (reply?.result as { session_id?: unknown } | undefined)?.session_id === 'string' ? ((reply!.result as { session_id: string }).session_id) : await onlySession(home);
    const history = sid ? await readJson(home, path.relative(home, path.join(dataDir(home), 'agent', 'sessions', sid, 'history.json'))) : undefined;
    if (opts.convLogPath && (reply || history)) await fsp.writeFile(opts.convLogPath, `${JSON.stringify({ jsonrpc_response: reply ?? null, history: history ?? null }, null, 2)}\n`);
    return parseJiuwenclawRun(reply, history, opts.skills);
  },
});

/** Waits for the previous run's sidecar to be gone; the turn passes on when this run's scope closes. */
async function takeSidecarTurn(scope: RunScope): Promise<void> {
  const previous = sidecarTurn;
  let release!: () => void;
  sidecarTurn = new Promise((resolve) => (release = resolve));
  scope.defer(release);
  await previous;
}

/** The Python the CLI runs under (its shebang): the sidecar needs the same installation. */
async function sidecarPython(binary: string): Promise<string> {
  const line = await shebang(binary);
  if (!line) return 'python3';
  // `#!/usr/bin/env python3` names the interpreter second.
  return line.interpreter.endsWith('/env') && line.arg ? line.arg : line.interpreter;
}

function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
  });
}

/** Starts the sidecar in its own process group (stopped by the scope) and waits until it listens. */
async function startSidecar(python: string, home: string, binary: string, ids: HarnessUser['spawnIds'], scope: RunScope, signal?: AbortSignal): Promise<void> {
  if (await portOpen(SIDECAR_PORT)) {
    throw new SkvmError(`JiuwenClaw's sidecar port 127.0.0.1:${SIDECAR_PORT} is already in use by a process this run did not start.`, {
      hint: 'Stop your own JiuwenClaw server (or wait for the other run) and retry; skvm never stops processes it did not start.',
    });
  }
  const child = spawn(python, ['-m', 'jiuwenclaw.app'], { cwd: home, env: harnessEnv(home, binary, {}), ...ids, detached: true, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr = (stderr + d.toString('utf8')).slice(-4000)));
  let exited = false;
  child.once('exit', () => (exited = true));
  child.once('error', () => (exited = true));
  scope.defer(() => stopGroup(child.pid, () => exited));
  const deadline = Date.now() + SIDECAR_START_MS;
  while (!(await portOpen(SIDECAR_PORT))) {
    if (exited) throw new SkvmError(`JiuwenClaw's sidecar (${python} -m jiuwenclaw.app) exited before listening.\n${stderr.trim()}`, { hint: 'Check the JiuwenClaw installation (jiuwenclaw-cli and its Python package).' });
    if (signal?.aborted || Date.now() > deadline) throw new SkvmError(`JiuwenClaw's sidecar did not listen on 127.0.0.1:${SIDECAR_PORT} within ${SIDECAR_START_MS / 1000} s.`, { hint: 'Run "python -m jiuwenclaw.app" yourself to see why it does not start.' });
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** SIGTERM to the sidecar's process group, SIGKILL after the grace if it is still there. */
async function stopGroup(pid: number | undefined, exited: () => boolean): Promise<void> {
  if (pid === undefined || exited()) return;
  const kill = (sig: NodeJS.Signals) => {
    try {
      process.kill(-pid, sig);
    } catch {
      // already gone
    }
  };
  kill('SIGTERM');
  const until = Date.now() + KILL_GRACE_MS;
  while (!exited() && Date.now() < until) await new Promise((r) => setTimeout(r, 100));
  kill('SIGKILL');
}

/** The one session folder of this private home (the CLI's reply did not name it). */
async function onlySession(home: string): Promise<string | undefined> {
  const names = await fsp.readdir(path.join(dataDir(home), 'agent', 'sessions')).catch(() => [] as string[]);
  return names.length === 1 ? names[0] : undefined;
}

/**
 * A JSON file of the private home, or undefined. The home belongs to the harness's user and the
 * session id comes from its reply: opened confined to the home, no link followed.
 */
async function readJson(home: string, rel: string): Promise<unknown> {
  const opened = await openForRead(home, rel).catch(() => undefined);
  if (!opened) return undefined;
  try {
    return JSON.parse(await opened.handle.readFile('utf8'));
  } catch {
    return undefined;
  } finally {
    await opened.handle.close();
  }
}
