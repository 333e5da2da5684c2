import type { SimPolicy, SimReply, SimRequest } from '../policy.js';

/**
 * A stateless multi-conversation policy: each request is matched to a script by its first user
 * message and its system prompt, and answered with the script's step number k, where k is the
 * number of assistant messages already in the request. The conversation so far is the state,
 * so any number of agents can talk to one simulator at once, in any interleaving, and a retried
 * request gets the same answer. Past the last step the last step repeats.
 */

export interface ConversationMatch {
  /** Tested against the first user message (the task prompt). */
  prompt?: RegExp;
  /** Tested against the system prompt ("" when there is none). */
  system?: RegExp;
}

export interface ConversationScript {
  name: string;
  description?: string;
  match: ConversationMatch;
  /** At least one reply. */
  steps: SimReply[];
}

export interface ConversationPolicyOptions {
  scripts: ConversationScript[];
  /** Answer when no script matches; default a 400 naming the problem (retrying cannot help). */
  fallback?: SimReply;
  name?: string;
}

export interface ConversationSelection {
  script: ConversationScript;
  step: number;
}

/** The script answering `req` and the step index it gets, or undefined when none matches. */
export function selectConversationStep(scripts: readonly ConversationScript[], req: Pick<SimRequest, 'system' | 'messages'>): ConversationSelection | undefined {
  const prompt = req.messages.find((m) => m.role === 'user')?.content ?? '';
  const system = req.system ?? '';
  const script = scripts.find((s) => (!s.match.prompt || s.match.prompt.test(prompt)) && (!s.match.system || s.match.system.test(system)));
  if (!script) return undefined;
  const asked = req.messages.filter((m) => m.role === 'assistant').length;
  return { script, step: Math.min(asked, script.steps.length - 1) };
}

export function conversationPolicy(opts: ConversationPolicyOptions): SimPolicy {
  for (const s of opts.scripts) {
    if (s.steps.length === 0) throw new Error(`conversation script "${s.name}" has no steps`);
    // A global or sticky regex keeps lastIndex between tests, which would make matching stateful.
    for (const re of [s.match.prompt, s.match.system]) {
      if (re && (re.global || re.sticky)) throw new Error(`conversation script "${s.name}": regex flags g and y are not allowed`);
    }
  }
  const name = opts.name ?? 'conversation';
  return {
    name,
    respond(req) {
      const picked = selectConversationStep(opts.scripts, req);
      if (picked) return picked.script.steps[picked.step]!;
      if (opts.fallback) return opts.fallback;
      const prompt = (req.messages.find((m) => m.role === 'user')?.content ?? '').slice(0, 80);
      return {
        kind: 'fault',
        fault: { type: 'bad_request', message: `skvm simulator: no script of conversation policy "${name}" matches this request (prompt starts ${JSON.stringify(prompt)}).` },
      };
    },
  };
}
