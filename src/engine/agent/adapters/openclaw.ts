import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import { openForRead } from '../../sandbox/index.js';
import { UsageError } from '../../util/errors.js';
import { defineCliAdapter } from './cli/cli-adapter.js';
import { awaitLateOutput } from './cli/late-output.js';
import { copyUserConfig } from './cli/private-home.js';
import { appendInjected, installSkills } from './cli/skills.js';
import { nativeSetting } from './native-settings.js';
import { parseOpenclawTranscript } from './openclaw-output.js';

/**
 * OpenClaw (`openclaw agent --local`; spec runtime §2.8). Its state dir (OPENCLAW_STATE_DIR) is
 * inside the private home and holds one agent, `skvm`, whose workspace is the work directory
 * itself — so nothing is copied in and back, and the reference's agent pool is unnecessary
 * (every run has its own home). Managed: openclaw.json names a provider `skvm` on our route
 * (key in that file, inside the private home). Native: the user's agent files (the agent config
 * `adapters.openclaw.nativeSourceAgent` names, default `main`) copied in, the originals only read. Inject appends the skills to the workspace's
 * BOOTSTRAP.md; discover installs them in the workspace's `skills/`. The task prompt goes
 * unprefixed, as in the reference.
 */

const AGENT = 'skvm';
const PROVIDER = 'skvm';
const NATIVE_AGENT_FILES = ['models.json', 'auth-profiles.json', 'auth.json', 'SOUL.md', 'IDENTITY.md', 'BOOTSTRAP.md', 'HEARTBEAT.md', 'TOOLS.md', 'USER.md'];

const stateDir = (home: string) => path.join(home, '.openclaw');
const agentDir = (home: string) => path.join(stateDir(home), 'agents', AGENT, 'agent');
const sessionsDir = (home: string) => path.join(stateDir(home), 'agents', AGENT, 'sessions');
/** How long a cleanly finished run may take to leave its transcript (the reference: 10 × 1 s). */
const TRANSCRIPT_WAIT_MS = 10_000;

export const openclawAdapter = defineCliAdapter({
  name: 'openclaw',
  managedKinds: ['openai-compatible', 'openrouter', 'anthropic'],
  prefixPrompt: false,
  async prepare({ opts, home, userHome, endpoint, prompt }) {
    await fsp.mkdir(agentDir(home), { recursive: true });
    await fsp.mkdir(sessionsDir(home), { recursive: true });
    const agent = { id: AGENT, name: AGENT, workspace: opts.workDir, agentDir: agentDir(home), model: { primary: endpoint ? `${PROVIDER}/${endpoint.backendModel}` : opts.model, fallbacks: [] } };
    const config: Record<string, unknown> = { agents: { list: [agent] } };
    if (endpoint) {
      config.models = {
        providers: {
          [PROVIDER]: {
            api: endpoint.kind === 'anthropic' ? 'anthropic-messages' : 'openai-completions',
            baseUrl: endpoint.baseUrl,
            ...(endpoint.apiKey ? { apiKey: endpoint.apiKey } : {}),
            models: [{ id: endpoint.backendModel, name: endpoint.backendModel, reasoning: false, input: ['text'], cost: { input: 0, output: 0, cacheRead: 0, cacheWrite: 0 }, contextWindow: 128_000, maxTokens: 16_384 }],
          },
        },
      };
    } else {
      await copyNativeAgent(userHome, home, opts.model, nativeSetting(opts.adapters, 'openclaw', 'nativeSourceAgent') ?? 'main');
    }
    await fsp.writeFile(path.join(stateDir(home), 'openclaw.json'), `${JSON.stringify(config, null, 2)}\n`, { mode: 0o600 });
    if (opts.skills?.mode === 'inject') await appendInjected(opts.workDir, 'BOOTSTRAP.md', opts.skills.skills);
    else if (opts.skills) await installSkills(opts.workDir, 'skills', opts.skills.skills);
    // Always --local (the reference: managed only): without it the CLI hands the turn to a running gateway, whose state is not this private home.
    const args = ['agent', '--agent', AGENT, '--session-id', `skvm_${Date.now()}`, '--message', prompt, '--local'];
    return { args, env: { OPENCLAW_STATE_DIR: stateDir(home) } };
  },
  async parse({ opts, home, process: proc }) {
    // A clean exit may leave the transcript still being written: wait for it (bounded). A failed
    // run writes nothing more, so its transcript is looked for once.
    const transcript = await awaitLateOutput(() => newestTranscript(home), (text) => text.endsWith('\n'), {
      timeoutMs: proc.exitCode === 0 ? TRANSCRIPT_WAIT_MS : 0,
      ...(opts.signal ? { signal: opts.signal } : {}),
    });
    // The transcript, not stdout, is the run's conversation log.
    if (transcript !== undefined && opts.convLogPath) await fsp.writeFile(opts.convLogPath, transcript);
    return parseOpenclawTranscript(transcript, opts.skills);
  },
});

/** Native: the source agent's files, after checking it knows the model's provider. */
async function copyNativeAgent(userHome: string, home: string, model: string, sourceAgent: string): Promise<void> {
  const source = path.join(userHome, '.openclaw', 'agents', sourceAgent, 'agent');
  const copied = await copyUserConfig(source, agentDir(home), NATIVE_AGENT_FILES);
  if (!copied.includes('models.json')) {
    throw new UsageError(`OpenClaw in native mode needs your agent's models.json, and ${path.join(source, 'models.json')} does not exist.`, 'Set OpenClaw up once ("openclaw onboard"), or use adapterConfig "managed".');
  }
  const models = JSON.parse(await fsp.readFile(path.join(agentDir(home), 'models.json'), 'utf8')) as { providers?: Record<string, unknown> };
  const prefix = model.split('/')[0]!;
  if (!models.providers || !(prefix in models.providers)) {
    throw new UsageError(
      `OpenClaw in native mode: your agent "${sourceAgent}" has no provider "${prefix}" for model "${model}" (it has ${Object.keys(models.providers ?? {}).join(', ') || 'none'}).`,
      'Use a model id whose prefix is one of those providers, or adapterConfig "managed".',
    );
  }
}

/**
 * The text of the most recently written `*.jsonl | *.ndjson` in the agent's sessions folder.
 * The folder belongs to the harness's user, so the file is opened from the private home without
 * following any link (a link to a file of root's is refused, never read).
 */
async function newestTranscript(home: string): Promise<string | undefined> {
  const dir = sessionsDir(home);
  const names = await fsp.readdir(dir).catch(() => [] as string[]);
  let best: { name: string; mtime: number } | undefined;
  for (const name of names.filter((x) => x.endsWith('.jsonl') || x.endsWith('.ndjson'))) {
    const st = await fsp.lstat(path.join(dir, name)).catch(() => undefined);
    if (st?.isFile() && (!best || st.mtimeMs > best.mtime)) best = { name, mtime: st.mtimeMs };
  }
  if (!best) return undefined;
  const opened = await openForRead(home, path.relative(home, path.join(dir, best.name))).catch(() => undefined);
  if (!opened) return undefined;
  try {
    return await opened.handle.readFile('utf8');
  } finally {
    await opened.handle.close();
  }
}
