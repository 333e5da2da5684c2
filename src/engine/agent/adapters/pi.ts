import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import { UsageError } from '../../util/errors.js';
import { defineCliAdapter } from './cli/cli-adapter.js';
import { hostVars } from './cli/child-env.js';
import { copyUserConfig } from './cli/private-home.js';
import { appendInjected, installSkills, skillLoaded } from './cli/skills.js';
import { runFromTranscript } from './cli/transcript-run.js';

/**
 * pi (`@mariozechner/pi-coding-agent`, `pi -p --mode json`; spec runtime §2.11). Its agent dir
 * (PI_CODING_AGENT_DIR) is inside the private home. Managed: a custom provider `skvm` in
 * models.json on the chat-completions wire, whose key pi reads from the variable models.json
 * names. Inject: the skills appended to `<workDir>/AGENTS.md` (a context file); discover:
 * `<workDir>/.pi-skills/<name>/` passed with --skill, pi's own skill discovery off. No events
 * at all is `parse-failed` (pi always prints its session line).
 */

const KEY_VAR = 'SKVM_PI_API_KEY';
const NATIVE_FILES = ['auth.json', 'models.json', 'settings.json', 'skills', 'prompts'];
const NATIVE_VARS = ['OPENAI_API_KEY', 'ANTHROPIC_API_KEY', 'GEMINI_API_KEY', 'OPENROUTER_API_KEY', 'GROQ_API_KEY', 'XAI_API_KEY', 'MISTRAL_API_KEY'];

export const piAdapter = defineCliAdapter({
  name: 'pi',
  managedKinds: ['openai-compatible', 'openrouter'],
  async prepare({ opts, home, userHome, endpoint, prompt }) {
    const agentDir = path.join(home, '.pi', 'agent');
    const env: Record<string, string> = { PI_CODING_AGENT_DIR: agentDir, PI_OFFLINE: '1' };
    const args = ['-p', prompt, '--mode', 'json', '--no-session', '--no-extensions'];
    if (endpoint) {
      await fsp.mkdir(agentDir, { recursive: true });
      const models = { providers: { skvm: { baseUrl: endpoint.baseUrl, api: 'openai-completions', apiKey: endpoint.apiKey ? KEY_VAR : 'none', models: [{ id: endpoint.backendModel }] } } };
      await fsp.writeFile(path.join(agentDir, 'models.json'), `${JSON.stringify(models, null, 2)}\n`);
      if (endpoint.apiKey) env[KEY_VAR] = endpoint.apiKey;
      args.push('--provider', 'skvm', '--model', endpoint.backendModel);
    } else {
      const userDir = (opts.env ?? process.env).PI_CODING_AGENT_DIR || path.join(userHome, '.pi', 'agent');
      const copied = await copyUserConfig(userDir, agentDir, NATIVE_FILES);
      Object.assign(env, hostVars(opts.env ?? process.env, NATIVE_VARS));
      if (!copied.includes('auth.json') && !copied.includes('models.json')) {
        throw new UsageError(`pi in native mode found no configuration: no ${userDir}/auth.json or models.json.`, 'Set pi up once (pi, then /login or a models.json), or use adapterConfig "managed".');
      }
      // Native ids are pi's own `provider/id` patterns.
      args.push('--model', opts.model);
    }
    const skills = opts.skills;
    if (skills?.mode === 'inject') {
      await appendInjected(opts.workDir, 'AGENTS.md', skills.skills);
      args.push('--no-skills');
    } else if (skills?.mode === 'discover') {
      const folders = await installSkills(opts.workDir, '.pi-skills', skills.skills);
      args.push(...folders.flatMap((f) => ['--skill', f]), '--no-skills', '--no-context-files');
    } else {
      args.push('--no-skills', '--no-context-files');
    }
    return { args, env };
  },
  async parse({ opts, outputPath }) {
    const run = await runFromTranscript(outputPath, { harness: 'pi', model: opts.model, silentRun: 'parse-failed' });
    return { ...run, ...(opts.skills ? { skillLoaded: skillLoaded(opts.skills.mode, opts.skills.skills, run) } : {}) };
  },
});
