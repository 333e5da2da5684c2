import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import type { RunBenchOptions } from '../src/engine/bench/index.js';
import type { ConditionResult } from '../src/engine/bench/types.js';
import { LlmClient } from '../src/engine/llm/client.js';
import type { SimServer } from '../src/engine/sim/index.js';
import type { LoadedTask } from '../src/engine/tasks/load.js';
import { silentLogger } from '../src/engine/util/log.js';

/** Test helpers: a one-task bench of `sim/*` models against a simulator, and the results it recorded. */

export function simBenchOptions(sim: SimServer, o: { model: string; task: LoadedTask; conditions: string[]; tmp: () => string }): RunBenchOptions {
  const llm = new LlmClient({
    config: () => ({ providers: { routes: [{ match: 'sim/*', kind: 'openai-compatible', baseUrl: sim.openaiBaseUrl, apiKeyEnv: 'SIM_KEY' }] } }),
    configFile: path.join(o.tmp(), 'skvm.config.json'),
    env: { SIM_KEY: 'sim-key-0001' },
    log: silentLogger,
    retry: { baseDelayMs: 5, maxDelayMs: 20, maxAttempts: 2 },
  });
  return {
    models: [o.model],
    adapters: ['bare-agent'],
    conditions: o.conditions,
    tasks: [o.task],
    llm,
    logsRoot: o.tmp(),
    tmpRoot: o.tmp(),
    sandbox: { mode: 'auto', network: false },
    maxSteps: 12,
    log: silentLogger,
  };
}

/** Every cell result of a session, from its progress.json. */
export async function benchResults(sessionDir: string): Promise<ConditionResult[]> {
  const progress = JSON.parse(await fsp.readFile(path.join(sessionDir, 'progress.json'), 'utf8')) as { entries: Array<{ result: ConditionResult }> };
  return progress.entries.map((e) => e.result);
}
