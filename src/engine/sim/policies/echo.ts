import type { SimPolicy } from '../policy.js';

/** Replies `sim: <last user message>`; with a tiny max_tokens (a live "does this route answer" check) just `ok`. */
export function echoPolicy(): SimPolicy {
  return {
    name: 'echo',
    respond(req) {
      if (req.maxTokens !== undefined && req.maxTokens <= 4) return { kind: 'message', text: 'ok' };
      const lastUser = [...req.messages].reverse().find((m) => m.role === 'user');
      return { kind: 'message', text: `sim: ${(lastUser?.content ?? '').slice(0, 200)}` };
    },
  };
}
