import type { RunResult } from '../src/engine/agent/types.js';

/** A RunResult of an agent run that finished cleanly (runStatus ok, no usage), for graders' tests. */
export function okRun(workDir: string, over: Partial<RunResult> = {}): RunResult {
  return {
    text: '',
    steps: [],
    tokens: { input: 0, output: 0, cacheRead: 0, cacheWrite: 0 },
    cost: 0,
    durationMs: 0,
    llmDurationMs: 0,
    workDir,
    runStatus: 'ok',
    ...over,
  };
}
