import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import { UsageError } from '../../util/errors.js';
import { backendModel } from '../../llm/routes.js';
import { defineCliAdapter } from './cli/cli-adapter.js';
import { hostVars } from './cli/child-env.js';
import { copyUserConfig } from './cli/private-home.js';
import { injectedText, installSkills, skillLoaded } from './cli/skills.js';
import { runFromTranscript } from './cli/transcript-run.js';

/**
 * Claude Code (`claude -p`, spec runtime §2.12; facts in spec/harness-clis.md). HOME is the
 * private home, so its settings and session files live there. Managed: an anthropic route only
 * (base URL and key through ANTHROPIC_BASE_URL / ANTHROPIC_API_KEY; a placeholder key on an
 * auth-free route). Inject: the skills after a sentinel through --append-system-prompt;
 * discover: `<workDir>/.claude/skills/<name>/SKILL.md`. stream-json stdout is the conversation
 * log and what is parsed.
 */

/** What native mode copies from the user's `~/.claude` (never written back). */
const NATIVE_FILES = ['.credentials.json', 'settings.json', 'settings.local.json', 'CLAUDE.md', 'agents', 'commands', 'skills'];
/** Variables Claude Code reads for its login in native mode. */
const NATIVE_VARS = ['ANTHROPIC_API_KEY', 'ANTHROPIC_AUTH_TOKEN', 'ANTHROPIC_BASE_URL', 'CLAUDE_CODE_OAUTH_TOKEN', 'ANTHROPIC_MODEL'];
/**
 * As root Claude Code refuses bypassPermissions; these tools, allowed up front, are what a task
 * needs (skills, files, commands). Only a root engine that opted in to running unconfined runs
 * it as root (harness-user.ts); otherwise it runs unprivileged with bypassPermissions.
 */
const ROOT_ALLOWED_TOOLS = ['Skill', 'Read', 'Write', 'Edit', 'MultiEdit', 'Bash', 'Glob', 'Grep', 'LS'];

/** The result Claude Code 2.1 prints when --max-turns stops it (subtype error_max_turns). */
const MAX_TURNS_ERROR = /^Reached maximum number of turns \(\d+\)/;

/** Anthropic's API takes `claude-sonnet-4-6` where model ids elsewhere say `claude-sonnet-4.6`. */
export function claudeModelId(backend: string): string {
  return backend.replace(/^(claude-(?:(?:sonnet|opus|haiku)-)?\d+)\.(\d+)/, '$1-$2');
}

export const claudeCodeAdapter = defineCliAdapter({
  name: 'claude-code',
  managedKinds: ['anthropic'],
  // Without ANTHROPIC_API_KEY it stops with "Not logged in", also against an endpoint that needs none.
  needsKey: true,
  async prepare({ opts, home, userHome, endpoint, prompt, user }) {
    const env: Record<string, string> = { DISABLE_AUTOUPDATER: '1', CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1', DISABLE_TELEMETRY: '1' };
    if (endpoint) {
      env.ANTHROPIC_BASE_URL = endpoint.baseUrl;
      env.ANTHROPIC_API_KEY = endpoint.apiKey;
    } else {
      const userDir = path.join(userHome, '.claude');
      const copied = await copyUserConfig(userDir, path.join(home, '.claude'), NATIVE_FILES);
      await copyUserConfig(userHome, home, ['.claude.json']);
      Object.assign(env, hostVars(opts.env ?? process.env, NATIVE_VARS));
      if (!copied.includes('.credentials.json') && !copied.includes('settings.json') && !env.ANTHROPIC_API_KEY && !env.ANTHROPIC_AUTH_TOKEN && !env.CLAUDE_CODE_OAUTH_TOKEN) {
        throw new UsageError(`Claude Code in native mode found no login: no ${userDir}/.credentials.json or settings.json, and no ANTHROPIC_API_KEY.`, 'Log in with "claude" once, or use adapterConfig "managed" with an anthropic route.');
      }
    }
    const args = ['-p', prompt, '--output-format', 'stream-json', '--verbose', '--model', claudeModelId(backendModel(opts.model)), '--max-turns', String(opts.maxSteps)];
    args.push(...(user.root ? ['--allowedTools', ...ROOT_ALLOWED_TOOLS] : ['--permission-mode', 'bypassPermissions']));
    const skills = opts.skills;
    if (skills?.mode === 'inject') args.push('--append-system-prompt', injectedText(skills.skills));
    if (skills?.mode === 'discover') await installSkills(opts.workDir, path.join('.claude', 'skills'), skills.skills);
    await fsp.mkdir(path.join(home, '.claude'), { recursive: true });
    return { args, env };
  },
  async parse({ opts, outputPath }) {
    const parsed = await runFromTranscript(outputPath, { harness: 'claude-code', model: opts.model, silentRun: 'ok' });
    // --max-turns ends the run with an error result; reaching maxSteps is a normal finish here.
    const { runStatus, statusDetail, error, ...run } = parsed;
    const limit = error !== undefined && MAX_TURNS_ERROR.test(error.text);
    return {
      ...run,
      ...(limit ? { turnLimitReached: true } : { ...(runStatus ? { runStatus } : {}), ...(statusDetail ? { statusDetail } : {}), ...(error ? { error } : {}) }),
      ...(opts.skills ? { skillLoaded: skillLoaded(opts.skills.mode, opts.skills.skills, run) } : {}),
    };
  },
});
