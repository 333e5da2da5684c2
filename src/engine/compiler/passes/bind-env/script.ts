import type { ChatProvider } from '../../../llm/types.js';
import type { DependencyEntry } from '../../types.js';
import type { InstallPolicy } from './install-policy.js';
import type { Platform } from './platform.js';
import { GENERATE_SYSTEM, generatePrompt, REPAIR_SYSTEM, repairPrompt } from './prompts.js';

/** Writing and repairing env-setup.sh with the compiler model (spec §4.8.4–4.8.5). */

export const NO_DEPENDENCIES_SCRIPT = '#!/bin/bash\n# No dependencies detected: nothing to install.\nexit 0\n';

const SCRIPT_MAX_TOKENS = 4096;

export interface ScriptModel {
  llm: ChatProvider;
  model: string;
  signal: AbortSignal;
}

/**
 * The script in a model's answer: the first bash/sh (or unlabelled) fence when there is one —
 * models often wrap the script in a sentence and a fence — else the whole answer; `#!/bin/bash`
 * added when it does not start with a shebang.
 */
export function scriptFromAnswer(text: string): string {
  const fence = /(?:^|\n)[ \t]*(`{3,}|~{3,})[ \t]*(?:bash|sh|shell|zsh)?[ \t]*\r?\n([\s\S]*?)\r?\n[ \t]*\1/.exec(text);
  const body = (fence ? fence[2]! : text).trim();
  const withShebang = body.startsWith('#!') ? body : `#!/bin/bash\n${body}`;
  return withShebang.endsWith('\n') ? withShebang : `${withShebang}\n`;
}

/** JSON the prompts show; the commands the policy chose are part of each dependency. */
export function promptJson(deps: readonly DependencyEntry[], platform: Platform, policy: InstallPolicy) {
  return {
    depsJson: JSON.stringify(deps, null, 2),
    platformJson: JSON.stringify(platform, null, 2),
    policyJson: JSON.stringify(policy, null, 2),
  };
}

export async function generateScript(m: ScriptModel, deps: readonly DependencyEntry[], platform: Platform, policy: InstallPolicy): Promise<string> {
  if (deps.length === 0) return NO_DEPENDENCIES_SCRIPT;
  const j = promptJson(deps, platform, policy);
  const res = await m.llm.chat(
    { model: m.model, system: GENERATE_SYSTEM, messages: [{ role: 'user', content: generatePrompt(j.depsJson, j.platformJson, j.policyJson) }], temperature: 0, maxTokens: SCRIPT_MAX_TOKENS },
    { signal: m.signal },
  );
  return scriptFromAnswer(res.text);
}

export async function repairScript(
  m: ScriptModel,
  a: { attempt: number; maxAttempts: number; failure: string; script: string; deps: readonly DependencyEntry[]; platform: Platform; policy: InstallPolicy },
): Promise<string> {
  const j = promptJson(a.deps, a.platform, a.policy);
  const content = repairPrompt({ attempt: a.attempt, maxAttempts: a.maxAttempts, failure: a.failure, script: a.script, depsJson: j.depsJson, platformJson: j.platformJson });
  const res = await m.llm.chat({ model: m.model, system: REPAIR_SYSTEM, messages: [{ role: 'user', content }], temperature: 0, maxTokens: SCRIPT_MAX_TOKENS }, { signal: m.signal });
  return scriptFromAnswer(res.text);
}
