import type { SimPolicy, SimReply, SimRequest } from '../policy.js';

export type ScriptStep = SimReply | ((req: SimRequest) => SimReply | Promise<SimReply>);

export interface ScriptedPolicyOptions {
  /** What to answer once every step is used: a 500 naming the problem (default), the last step again, or a fixed reply. */
  whenExhausted?: 'error' | 'repeat-last' | SimReply;
  name?: string;
}

export interface ScriptedPolicy extends SimPolicy {
  /** Steps not yet consumed. */
  remaining(): number;
  /** Every request this policy answered, in order (tests assert on what the client sent). */
  requests(): readonly SimRequest[];
}

/** A queue of replies, one step per request, for tests that need an exact conversation. */
export function scriptedPolicy(steps: ScriptStep[], opts: ScriptedPolicyOptions = {}): ScriptedPolicy {
  const queue = [...steps];
  const seen: SimRequest[] = [];
  let next = 0;
  const whenExhausted = opts.whenExhausted ?? 'error';
  const name = opts.name ?? 'scripted';

  const pick = (): ScriptStep => {
    if (next < queue.length) return queue[next++]!;
    if (whenExhausted === 'repeat-last' && queue.length > 0) return queue[queue.length - 1]!;
    if (typeof whenExhausted === 'object') return whenExhausted;
    const message = `skvm simulator: scripted policy "${name}" ran out of replies after ${queue.length} step(s).`;
    return { kind: 'fault', fault: { type: 'server_error', status: 500, message } };
  };

  return {
    name,
    remaining: () => queue.length - next,
    requests: () => seen,
    async respond(req) {
      seen.push(req);
      const step = pick();
      return typeof step === 'function' ? step(req) : step;
    },
  };
}
