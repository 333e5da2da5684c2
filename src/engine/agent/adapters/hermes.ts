import { execFile } from 'node:child_process';
import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import { UsageError } from '../../util/errors.js';
import { defineCliAdapter } from './cli/cli-adapter.js';
import { harnessEnv, hostVars } from './cli/child-env.js';
import type { HarnessUser } from './cli/harness-user.js';
import { copyUserConfig } from './cli/private-home.js';
import { injectedText, installSkills } from './cli/skills.js';
import { hermesTrailer, parseHermesSession } from './hermes-output.js';

/**
 * Hermes Agent (NousResearch, `hermes chat -Q -q`; spec runtime §2.9). HERMES_HOME is inside
 * the private home. Managed: a generated config.yaml naming one custom provider `skvm-managed`
 * on the chat-completions wire (its key in that file, which lives and dies with the private
 * home; never an argument). Native: the user's config.yaml, .env and SOUL.md copied in, the
 * originals only read. Inject: the skills before the task in the prompt; discover: the skill
 * in `<HERMES_HOME>/skills/<name>/` and named with `-s`. After the chat, the session is read
 * with `hermes sessions export` (the id comes from the `session_id:` trailer).
 */

const PROVIDER = 'skvm-managed';
const NATIVE_FILES = ['config.yaml', '.env', 'SOUL.md', 'skills', 'memories'];
const NATIVE_VARS = ['OPENROUTER_API_KEY', 'OPENAI_API_KEY', 'ANTHROPIC_API_KEY', 'NOUS_API_KEY'];
const EXPORT_TIMEOUT_MS = 30_000;

const hermesHome = (home: string) => path.join(home, '.hermes');

export const hermesAdapter = defineCliAdapter({
  name: 'hermes',
  managedKinds: ['openai-compatible', 'openrouter'],
  async prepare({ opts, home, userHome, endpoint, prompt }) {
    const dir = hermesHome(home);
    await fsp.mkdir(path.join(dir, 'sessions'), { recursive: true });
    const env: Record<string, string> = { HERMES_HOME: dir };
    let model: string;
    if (endpoint) {
      const config = {
        model: { default: endpoint.backendModel, provider: `custom:${PROVIDER}`, base_url: endpoint.baseUrl, api_mode: 'chat_completions' },
        custom_providers: [{ name: PROVIDER, base_url: endpoint.baseUrl, api_key: endpoint.apiKey, api_mode: 'chat_completions' }],
      };
      // JSON is YAML: hermes reads this config.yaml with its YAML loader.
      await fsp.writeFile(path.join(dir, 'config.yaml'), `${JSON.stringify(config, null, 2)}\n`, { mode: 0o600 });
      model = endpoint.backendModel;
    } else {
      const hostEnv = opts.env ?? process.env;
      const userDir = hostEnv.HERMES_HOME || path.join(userHome, '.hermes');
      const copied = await copyUserConfig(userDir, dir, NATIVE_FILES);
      if (!copied.includes('config.yaml')) {
        throw new UsageError(`Hermes in native mode needs your config, and ${path.join(userDir, 'config.yaml')} does not exist.`, 'Run "hermes setup" once, set $HERMES_HOME, or use adapterConfig "managed".');
      }
      Object.assign(env, hostVars(hostEnv, NATIVE_VARS));
      model = opts.model;
    }
    const skills = opts.skills;
    const message = skills?.mode === 'inject' ? `${injectedText(skills.skills)}\n---\n\n${prompt}` : prompt;
    const args = ['chat', '-Q', '-q', message, '-m', model, '-t', 'terminal,file', '--max-turns', String(opts.maxSteps), '--yolo', '--source', 'tool'];
    if (skills?.mode === 'discover') {
      await installSkills(dir, 'skills', skills.skills);
      args.push('-s', skills.skills.map((s) => s.name).join(','));
    }
    return { args, env };
  },
  async parse({ opts, binary, home, outputPath, user }) {
    const stdout = await fsp.readFile(outputPath, 'utf8').catch(() => '');
    const { sessionId } = hermesTrailer(stdout);
    const exported = sessionId ? await exportSession(binary, home, sessionId, user.spawnIds) : undefined;
    // The conversation log is the session export when there is one (it holds every step).
    if (exported !== undefined && opts.convLogPath) await fsp.writeFile(opts.convLogPath, `${JSON.stringify(exported)}\n`);
    return parseHermesSession(exported, stdout, opts.skills);
  },
});

/** `hermes sessions export - --session-id <id>` (as the harness's user), parsed; undefined when it fails (the run is then read from stdout). */
function exportSession(binary: string, home: string, sessionId: string, ids: HarnessUser['spawnIds']): Promise<unknown> {
  return new Promise((resolve) => {
    execFile(
      binary,
      ['sessions', 'export', '-', '--session-id', sessionId],
      { cwd: home, env: harnessEnv(home, binary, { HERMES_HOME: hermesHome(home) }), ...ids, timeout: EXPORT_TIMEOUT_MS, killSignal: 'SIGKILL', maxBuffer: 64 * 1024 * 1024 },
      (err, out) => {
        if (err) return resolve(undefined);
        try {
          resolve(JSON.parse(String(out)));
        } catch {
          resolve(undefined);
        }
      },
    );
  });
}
