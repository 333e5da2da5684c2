import { tmpdir } from 'node:os';
import { createWorkDir, removeWorkDir } from '../../src/engine/sandbox/index.js';
import { PROBE_LEVELS, type ProbeLevel } from '../../src/engine/primitives/catalog.js';
import { checkContext, playSolution, runProbeCheck, startProbeServer, withBaseUrl, writeSetupFiles, type CheckOutcome } from '../../src/engine/profiler/probe-exec.js';
import { missingRequirement } from '../../src/engine/profiler/requirements.js';
import type { ProbeGenerator, ProbeInstance } from '../../src/engine/profiler/types.js';

/**
 * Plays a generator's reference and near-miss solutions through the real tools and its check,
 * with no model: the proof that every probe can be passed and that a plausible wrong answer
 * fails it. Used by the generator tests (VERIFY_SEEDS seeds × 3 levels each).
 */
export interface SolutionRun {
  level: ProbeLevel;
  seed: number;
  which: 'reference' | 'nearMiss';
  skipped?: string;
  outcome?: CheckOutcome;
}

export async function playInstance(instance: ProbeInstance, which: 'reference' | 'nearMiss'): Promise<CheckOutcome> {
  const server = await startProbeServer(instance);
  const inst = server ? withBaseUrl(instance, server.baseUrl) : instance;
  const workDir = await createWorkDir({ tmpRoot: tmpdir(), prefix: 'skvm-probe-test-' });
  try {
    await writeSetupFiles(workDir, inst.setupFiles);
    const sandbox = { mode: 'auto' as const };
    const played = await playSolution(inst[which], { workDir, sandbox, web: inst.web === true, ...(server ? { allowLocalHosts: [new URL(server.baseUrl).host] } : {}) });
    await writeSetupFiles(workDir, { 'response.txt': played.finalText });
    return await runProbeCheck(inst, checkContext(workDir, played.finalText, played.steps, sandbox, inst.web === true));
  } finally {
    await server?.close();
    await removeWorkDir(workDir, { tmpRoot: tmpdir() });
  }
}

export async function verifyGenerator(gen: ProbeGenerator, seeds = 20): Promise<SolutionRun[]> {
  const out: SolutionRun[] = [];
  for (const level of PROBE_LEVELS) {
    for (let seed = 1; seed <= seeds; seed++) {
      const instance = gen.generate(level, seed);
      const missing = await missingRequirement(instance.requires);
      for (const which of ['reference', 'nearMiss'] as const) {
        if (missing) out.push({ level, seed, which, skipped: missing });
        else out.push({ level, seed, which, outcome: await playInstance(instance, which) });
      }
    }
  }
  return out;
}

/** A readable list of the runs that went the wrong way (reference failing, near-miss passing). */
export function wrongWay(runs: readonly SolutionRun[]): string[] {
  return runs
    .filter((r) => r.outcome && (r.which === 'reference' ? !r.outcome.passed : r.outcome.passed))
    .map((r) => `${r.level} seed ${r.seed} ${r.which}: ${r.outcome!.details}`);
}
