import { afterAll, afterEach, beforeAll } from 'vitest';
import type { Route } from '../src/engine/config/schema.js';
import { LlmClient } from '../src/engine/llm/client.js';
import type { RetryOptions } from '../src/engine/llm/retry.js';
import type { SimPolicy } from '../src/engine/sim/policy.js';
import { scriptedPolicy, type ScriptedPolicy, type ScriptStep } from '../src/engine/sim/policies/scripted.js';
import { startSimServer, type SimServer } from '../src/engine/sim/server.js';
import { silentLogger } from '../src/engine/util/log.js';

/**
 * One scripted simulator per test, closed after it: `serve(steps)` starts it with the script
 * and returns the policy, the server and the SDK client `connect` builds for it.
 */
export function scriptedSimulator<C>(connect: (sim: SimServer) => C) {
  let sim: SimServer | undefined;
  afterEach(async () => {
    await sim?.close();
    sim = undefined;
  });
  return async (steps: Parameters<typeof scriptedPolicy>[0], opts?: Parameters<typeof scriptedPolicy>[1]) => {
    const policy = scriptedPolicy(steps, opts);
    sim = await startSimServer({ policy });
    return { policy, client: connect(sim), sim };
  };
}

/**
 * A simulator shared by a test file and an LlmClient whose routes point at it (built by
 * `routes`), set up before the file's tests and closed after them. `script(steps)` gives the
 * simulator a fresh scripted policy and returns it.
 */
export function simulatedLlm(routes: (sim: SimServer) => Route[], opts: { policy?: SimPolicy; retry?: Partial<RetryOptions> } = {}) {
  const state: { sim?: SimServer; client?: LlmClient } = {};
  beforeAll(async () => {
    const sim = await startSimServer({ policy: opts.policy ?? scriptedPolicy([]) });
    state.sim = sim;
    state.client = new LlmClient({ config: () => ({ providers: { routes: routes(sim) } }), configFile: '/tmp/skvm.config.json', env: {}, log: silentLogger, retry: opts.retry ?? { baseDelayMs: 1, maxDelayMs: 2 } });
  });
  afterAll(async () => {
    await state.sim?.close();
  });
  return {
    sim: () => state.sim!,
    client: () => state.client!,
    script(steps: ScriptStep[]): ScriptedPolicy {
      const p = scriptedPolicy(steps);
      state.sim!.setPolicy(p);
      return p;
    },
  };
}
