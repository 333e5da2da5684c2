import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import { backendModel } from '../../llm/routes.js';
import { UsageError } from '../../util/errors.js';
import { defineCliAdapter } from './cli/cli-adapter.js';
import { hostVars } from './cli/child-env.js';
import { copyUserConfig } from './cli/private-home.js';
import { appendInjected, installSkills, skillLoaded } from './cli/skills.js';
import { runFromTranscript } from './cli/transcript-run.js';

/**
 * Codex CLI (`codex exec --json`, spec runtime §2.13; facts in spec/harness-clis.md). CODEX_HOME
 * is inside the private home. Managed: a `[model_providers.skvm]` table on the Responses wire
 * (Codex no longer accepts the chat wire) whose key is read from SKVM_CODEX_API_KEY. Inject:
 * the skills appended to `<workDir>/AGENTS.md` after a sentinel; discover:
 * `<workDir>/.agents/skills/<name>/SKILL.md`. Codex reports tokens, never cost: the price table
 * estimates it.
 */

const KEY_VAR = 'SKVM_CODEX_API_KEY';
const NATIVE_FILES = ['auth.json', 'config.toml', 'AGENTS.md'];
const NATIVE_VARS = ['OPENAI_API_KEY', 'CODEX_API_KEY', 'OPENAI_BASE_URL', 'OPENROUTER_API_KEY'];

/** A TOML basic string (JSON's escapes are valid TOML). */
const toml = (s: string) => JSON.stringify(s);

export const codexAdapter = defineCliAdapter({
  name: 'codex',
  managedKinds: ['openai-compatible', 'openrouter'],
  async prepare({ opts, home, userHome, endpoint, prompt }) {
    const codexHome = path.join(home, '.codex');
    const env: Record<string, string> = { CODEX_HOME: codexHome };
    if (endpoint) {
      const lines = [
        `model = ${toml(endpoint.backendModel)}`,
        'model_provider = "skvm"',
        '',
        '[model_providers.skvm]',
        'name = "skvm managed route"',
        `base_url = ${toml(endpoint.baseUrl)}`,
        'wire_api = "responses"',
        // An auth-free route ("" key) names no variable.
        ...(endpoint.apiKey ? [`env_key = "${KEY_VAR}"`] : []),
        '',
      ];
      await fsp.mkdir(codexHome, { recursive: true });
      await fsp.writeFile(path.join(codexHome, 'config.toml'), lines.join('\n'));
      if (endpoint.apiKey) env[KEY_VAR] = endpoint.apiKey;
    } else {
      const userDir = (opts.env ?? process.env).CODEX_HOME || path.join(userHome, '.codex');
      const copied = await copyUserConfig(userDir, codexHome, NATIVE_FILES);
      Object.assign(env, hostVars(opts.env ?? process.env, NATIVE_VARS));
      if (!copied.includes('auth.json') && !copied.includes('config.toml') && !env.OPENAI_API_KEY && !env.CODEX_API_KEY) {
        throw new UsageError(`Codex in native mode found no login: no ${userDir}/auth.json or config.toml, and no OPENAI_API_KEY.`, 'Log in with "codex login" once, or use adapterConfig "managed".');
      }
    }
    const skills = opts.skills;
    if (skills?.mode === 'inject') await appendInjected(opts.workDir, 'AGENTS.md', skills.skills);
    if (skills?.mode === 'discover') await installSkills(opts.workDir, path.join('.agents', 'skills'), skills.skills);
    const args = ['exec', prompt, '--json', '--skip-git-repo-check', '-s', 'danger-full-access', '-C', opts.workDir];
    if (!endpoint) args.push('--model', backendModel(opts.model));
    return { args, env };
  },
  async parse({ opts, outputPath }) {
    const run = await runFromTranscript(outputPath, { harness: 'codex', model: opts.model, silentRun: 'ok' });
    return { ...run, ...(opts.skills ? { skillLoaded: skillLoaded(opts.skills.mode, opts.skills.skills, run) } : {}) };
  },
});
