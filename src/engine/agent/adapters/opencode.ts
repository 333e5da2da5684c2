import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import { UsageError } from '../../util/errors.js';
import { defineCliAdapter } from './cli/cli-adapter.js';
import { hostVars } from './cli/child-env.js';
import { copyUserConfig } from './cli/private-home.js';
import { injectedText, installSkills, skillLoaded } from './cli/skills.js';
import { runFromTranscript } from './cli/transcript-run.js';
import { nativeSetting } from './native-settings.js';

/**
 * opencode (`opencode-ai`, `opencode run --format json`; spec runtime §2.7, checked against
 * opencode 1.18.33). HOME is the private home, so opencode's config (~/.config/opencode), data
 * and cache all live there. Managed: a provider `skvm` on the OpenAI chat wire
 * (`@ai-sdk/openai-compatible`) in OPENCODE_CONFIG_CONTENT, which carries the key — a variable
 * opencode reads, never an argument. Native: the user's config file and auth copied in, and the agent config
 * `adapters.opencode.nativeAgent` names (default build).
 *
 * Skills, where they differ from the reference: inject goes in a file in the private home named
 * by the config's `instructions` — opencode 1.18.33 never sends the reference's
 * `<workDir>/CONTEXT.md` to the model, and the work dir stays free of harness files. Discover
 * writes `<workDir>/.opencode/skills/<name>/SKILL.md`; the reference's
 * OPENCODE_DISABLE_PROJECT_CONFIG is left unset because it also turns that skill folder off.
 */

const PROVIDER = 'skvm';
const NATIVE_CONFIG_FILES = ['opencode.jsonc', 'opencode.json', 'config.json', 'agent', 'rules', 'skills'];
const NATIVE_VARS = ['OPENAI_API_KEY', 'ANTHROPIC_API_KEY', 'OPENROUTER_API_KEY', 'GEMINI_API_KEY', 'GROQ_API_KEY', 'XAI_API_KEY', 'MISTRAL_API_KEY'];

export const opencodeAdapter = defineCliAdapter({
  name: 'opencode',
  managedKinds: ['openai-compatible', 'openrouter'],
  async prepare({ opts, home, userHome, endpoint, prompt }) {
    const config: Record<string, unknown> = { autoupdate: false, share: 'disabled' };
    const env: Record<string, string> = {
      // An empty managed-config dir: a system-wide /etc/opencode must not reach the run.
      OPENCODE_TEST_MANAGED_CONFIG_DIR: path.join(home, 'managed-empty'),
    };
    let model = opts.model;
    if (endpoint) {
      config.provider = {
        [PROVIDER]: {
          npm: '@ai-sdk/openai-compatible',
          options: { baseURL: endpoint.baseUrl, apiKey: endpoint.apiKey },
          models: { [endpoint.backendModel]: { limit: { context: 128_000, output: 16_384 } } },
        },
      };
      model = `${PROVIDER}/${endpoint.backendModel}`;
    } else {
      await copyNativeConfig(opts.env ?? process.env, userHome, home);
      Object.assign(env, hostVars(opts.env ?? process.env, NATIVE_VARS));
    }
    if (opts.skills?.mode === 'inject') {
      const file = path.join(home, 'skvm-skills.md');
      await fsp.writeFile(file, injectedText(opts.skills.skills));
      config.instructions = [file];
    } else if (opts.skills) {
      await installSkills(opts.workDir, path.join('.opencode', 'skills'), opts.skills.skills);
    }
    env.OPENCODE_CONFIG_CONTENT = JSON.stringify(config);
    return { args: ['run', prompt, '--dir', opts.workDir, '--model', model, '--agent', endpoint ? 'build' : (nativeSetting(opts.adapters, 'opencode', 'nativeAgent') ?? 'build'), '--pure', '--format', 'json'], env };
  },
  async parse({ opts, outputPath }) {
    const run = await runFromTranscript(outputPath, { harness: 'opencode', model: opts.model, silentRun: 'ok' });
    return { ...run, ...(opts.skills ? { skillLoaded: skillLoaded(opts.skills.mode, opts.skills.skills, run) } : {}) };
  },
});

/**
 * Native: the user's opencode config (the first of $OPENCODE_CONFIG, $OPENCODE_CONFIG_DIR,
 * ~/.config/opencode, ~/.opencode) and auth.json copied into the private home; the originals
 * are only read.
 */
async function copyNativeConfig(env: NodeJS.ProcessEnv, userHome: string, home: string): Promise<void> {
  const target = path.join(home, '.config', 'opencode');
  if (env.OPENCODE_CONFIG) {
    await fsp.mkdir(target, { recursive: true });
    await fsp.copyFile(env.OPENCODE_CONFIG, path.join(target, path.basename(env.OPENCODE_CONFIG))).catch((err: NodeJS.ErrnoException) => {
      throw new UsageError(`opencode native mode: cannot read $OPENCODE_CONFIG (${env.OPENCODE_CONFIG}): ${err.code ?? err.message}.`, 'Point $OPENCODE_CONFIG at your opencode config file, or use adapterConfig "managed".');
    });
    return;
  }
  const dirs = [env.OPENCODE_CONFIG_DIR, path.join(env.XDG_CONFIG_HOME || path.join(userHome, '.config'), 'opencode'), path.join(userHome, '.opencode')].filter((d): d is string => !!d);
  for (const dir of dirs) {
    const copied = await copyUserConfig(dir, target, NATIVE_CONFIG_FILES);
    if (copied.some((c) => c.includes('.json'))) {
      await copyUserConfig(path.join(env.XDG_DATA_HOME || path.join(userHome, '.local', 'share'), 'opencode'), path.join(home, '.local', 'share', 'opencode'), ['auth.json']);
      return;
    }
  }
  throw new UsageError(
    `opencode native mode needs your opencode config, and none was found (looked in ${dirs.join(', ')}).`,
    'Create one with "opencode auth login" / an opencode.json, set $OPENCODE_CONFIG, or use adapterConfig "managed".',
  );
}
