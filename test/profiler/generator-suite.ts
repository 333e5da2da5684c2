import { describe, expect, it } from 'vitest';
import { PROBE_LEVELS } from '../../src/engine/primitives/catalog.js';
import { solution } from '../../src/engine/profiler/toolkit.js';
import type { ProbeCheckContext, ProbeGenerator, ProbeInstance, ProbeSolution } from '../../src/engine/profiler/types.js';
import { playInstance, verifyGenerator, wrongWay } from './verify.js';
import type { CheckOutcome } from '../../src/engine/profiler/probe-exec.js';
import { byStrength } from '../strength.js';

/**
 * The tests every probe generator gets (src/engine/profiler/generators/<id>.test.ts), plus
 * small helpers for the generator-specific tests that replay other answers through a probe.
 */

export interface GeneratorSuiteOptions {
  /** Timeout of the reference / near-miss verification (VERIFY_SEEDS × 3 levels × 2 sandboxed plays). Default 600 s. */
  verifyTimeoutMs?: number;
}

/**
 * Seeds of the verification (1…n): every one must play the reference to a pass and the
 * near-miss to a fail. Each play runs sandboxed commands, so the developer loop takes 5 and
 * the full run (SKVM_TEST_FULL=1) 20.
 */
export const VERIFY_SEEDS = byStrength(5, 20);
/** Seeds whose prompts must all differ, and must all be free of test-revealing words. */
export const PROMPT_SEEDS = [1, 2, 3, 4, 5, 6] as const;
/** Words that tell the model it is being tested (whole words, any case). */
export const TEST_WORDS = /\b(probe|benchmark|grader|graded|evaluat\w*|checker|test case)\b/i;
/** Internal names that must not leak into a prompt (substrings, lower case); the primitive id is added per generator. */
export const INTERNAL_MARKERS = ['probe', 'primitive', 'skvm', 'near-miss', 'reference solution'] as const;

/** Instance data without functions (check, server handler), for deep comparison. */
export const instanceData = (x: unknown): unknown => JSON.parse(JSON.stringify(x));

/**
 * Declares `describe('<id> generator')` with the standard tests of a probe generator:
 * - its reference passes and its near-miss fails for VERIFY_SEEDS seeds per level (played for
 *   real, sandboxed), and every level has runs that were not skipped for a missing tool;
 * - generate(level, 7) is deterministic (ignoring functions) and records seed 7, the level and
 *   the primitive id, which is also the generator's own;
 * - prompts (and prompt + setup files) differ across PROMPT_SEEDS;
 * - no prompt holds a test-revealing word or an internal marker.
 */
export function describeGeneratorSuite(primitiveId: string, generator: ProbeGenerator, opts: GeneratorSuiteOptions = {}): void {
  describe(`${primitiveId} generator`, () => {
    it(`reference passes and near-miss fails for ${VERIFY_SEEDS} seeds per level`, async () => {
      const runs = await verifyGenerator(generator, VERIFY_SEEDS);
      expect(wrongWay(runs)).toEqual([]);
      for (const level of PROBE_LEVELS) expect(runs.filter((r) => r.level === level && !r.skipped).length, level).toBeGreaterThan(0);
    }, opts.verifyTimeoutMs ?? 600_000);

    it('is deterministic per (level, seed) and records the seed, level and primitive id', () => {
      expect(generator.primitiveId).toBe(primitiveId);
      for (const level of PROBE_LEVELS) {
        const a = generator.generate(level, 7);
        expect(instanceData(a)).toEqual(instanceData(generator.generate(level, 7)));
        expect(a.seed).toBe(7);
        expect(a.level).toBe(level);
        expect(a.primitiveId).toBe(primitiveId);
      }
    });

    it('varies its prompts across seeds', () => {
      for (const level of PROBE_LEVELS) {
        const instances = PROMPT_SEEDS.map((s) => generator.generate(level, s));
        expect(new Set(instances.map((i) => i.prompt)).size, level).toBe(PROMPT_SEEDS.length);
        expect(new Set(instances.map((i) => i.prompt + JSON.stringify(i.setupFiles))).size, level).toBe(PROMPT_SEEDS.length);
      }
    });

    it('never tells the model it is being tested', () => {
      for (const level of PROBE_LEVELS) {
        for (const seed of PROMPT_SEEDS) {
          const prompt = generator.generate(level, seed).prompt;
          expect(prompt, `${level} seed ${seed}`).not.toMatch(TEST_WORDS);
          for (const marker of [...INTERNAL_MARKERS, primitiveId]) expect(prompt.toLowerCase(), `${level} seed ${seed}`).not.toContain(marker);
        }
      }
    });
  });
}

/** A check context for text-only answers (no files, no commands). */
export const textCtx = (finalText: string): ProbeCheckContext => ({
  workDir: '',
  finalText,
  steps: [],
  readFile: async () => undefined,
  run: async () => {
    throw new Error('not used');
  },
});

/** Whether a text-only answer passes the instance's check (every checkpoint ≥ 0.5). */
export const passes = async (inst: ProbeInstance, text: string): Promise<boolean> => (await inst.check(textCtx(text))).every((c) => c.score >= 0.5);

/** The reference solution's final answer. */
export const refText = (inst: ProbeInstance): string => inst.reference.turns.at(-1)!.text!;

/** Plays another solution (a text reply, or turns) through the real tools and the instance's check, as its reference. */
export const playAsReference = (inst: ProbeInstance, answer: string | ProbeSolution): Promise<CheckOutcome> =>
  playInstance({ ...inst, reference: typeof answer === 'string' ? solution({ text: answer }) : answer }, 'reference');
