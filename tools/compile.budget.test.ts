import { describe, expect, it, vi } from 'vitest';
import { RESULT_BUDGET_CHARS } from '../src/contract/detail.js';
import { summarizeEnvelope, type RunEnvelope } from '../src/contract/invoke.js';
import type { OpContext } from '../src/contract/operation.js';
import type { StartCompileResult } from '../src/engine/compiler/start.js';
import { ALL_PRIMITIVE_IDS } from '../src/engine/primitives/catalog.js';
import { compileTool } from './compile.js';

/**
 * The short compile result stays under the budget a host's model sees for a large compile: a
 * weak target with many gaps, the rewrite agent's full account of its three edits, a failed
 * env-setup.sh with a few KB of pip output, many guard violations, bundle notes and files.
 * Lists are cut to their first few and texts from the model or a script to a line or two, so
 * none of that grows the result. The compile itself is replaced by that outcome; the run
 * envelope around the result is built as the server builds it.
 */

const outcome = { current: undefined as StartCompileResult | undefined };
vi.mock('../src/engine/compiler/start.js', () => ({ startCompile: async () => outcome.current }));

const usage = { input: 123_456, output: 12_345, cacheRead: 0, cacheWrite: 0 };
const EDITS = [
  'Step 2 "Search & fetch" (tool.web, L2 → L0): one exact URL per web_fetch call, one field taken from each response.',
  'Step 4 "Synthesize" (gen.text.long, L3 → L1): write the report one section at a time, following the template below.',
  'Data Accuracy (reason.analysis, L3 → L1): compare each figure with one second source and note which one it came from.',
];
const MODEL = 'openrouter/qwen/qwen3.5-35b-a3b';
const VARIANT = `/home/someone/.skvm/proposals/aot-compile/bare-agent/openrouter--qwen--qwen3.5-35b-a3b/web-research-with-sources/p1p2p3`;
const URI = 'skvm://variants/bare-agent/openrouter--qwen--qwen3.5-35b-a3b/web-research-with-sources/p1p2p3';
const OUTPUT = Array.from({ length: 80 }, (_, i) => `Collecting package-${i}==1.2.${i} (from -r requirements.txt (line ${i}))`).join('\n');
const REASON = `The script exited with 1:\n…${OUTPUT.slice(-4000)}`;

function worst(published: boolean): StartCompileResult {
  const run = (number: number, id: string, summary: string, extra: object = {}) => ({ id, number, status: 'ok' as const, summary, tokens: usage, costUsd: 1.234567, durationMs: 123_456, ...extra });
  return {
    skillName: 'web-research-with-sources',
    model: MODEL,
    harness: 'bare-agent',
    compilerModel: 'openrouter/anthropic/claude-sonnet-4.6',
    passes: [1, 2, 3],
    passTag: 'p1p2p3',
    variantDir: VARIANT,
    uri: URI,
    published,
    dryRun: false,
    compiledAt: '2026-12-05T18:20:16.826Z',
    gaps: ALL_PRIMITIVE_IDS.map((id) => ({ purposeId: 'gather-and-validate-data-from-web-sources', primitiveId: id, requiredLevel: 'L3' as const, modelLevel: 'L0' as const, gapType: 'missing' as const })),
    guard: published ? { passed: true, violations: [] } : { passed: false, violations: Array.from({ length: 20 }, (_, i) => `Code block missing: "python scripts/step_${i}.py --input data.csv --output out_${i}.json --verbose..."`) },
    diff: 'x'.repeat(20_000),
    diffStats: { added: 120, removed: 80 },
    ...(published ? { fileUris: { plan: `${URI}/compilation-plan.json`, diff: `${URI}/_artifacts/SKILL.md.diff` } } : {}),
    env: { success: false, attempts: 3, failureReason: REASON },
    parallelGroups: Array.from({ length: 6 }, (_, g) => ({ type: 'tlp' as const, steps: Array.from({ length: 4 }, (_, s) => `fetch-source-${g}-${s}-and-parse`) })),
    passRuns: [
      run(1, 'rewrite-skill', '26 gaps (3 tolerated); 3 regions edited', {
        explanation: EDITS,
      }),
      run(2, 'bind-env', '14 dependencies; env script failed simulation after 3 attempts', { warning: `env-setup.sh is not validated: ${REASON}` }),
      run(3, 'extract-parallelism', '6 parallel groups (DLP, ILP, TLP, TLP, TLP, TLP)'),
    ],
    tokens: usage,
    costUsd: 3.7,
    costIncomplete: true,
    durationMs: 1_234_567,
    files: Array.from({ length: 60 }, (_, i) => `references/a-long-reference-file-name-${i}.md`),
    notes: Array.from({ length: 30 }, (_, i) => `skipped links/outside-${i}.txt: symlink points outside the folder`),
    profile: { from: 'cache', path: '/home/someone/.skvm/profiles/bare-agent/openrouter--qwen--qwen3.5-35b-a3b/latest.json', profiledAt: '2026-04-08T13:37:07.083Z', failureReports: true },
  };
}

/** What the server returns for a finished run: the envelope with the result and its summary. */
function envelope(result: Record<string, unknown>): RunEnvelope {
  return {
    runId: 'run-20261205-182016826-5275',
    operation: 'compile',
    status: 'succeeded',
    progress: { done: 3, total: 3, message: 'publishing the variant' },
    resource: 'skvm://runs/run-20261205-182016826-5275',
    usage: { calls: 1234, retries: 56, inputTokens: 12_345_678, outputTokens: 1_234_567, costUsd: 12.345678 },
    next: 'Done; the result is included.',
    result,
    summary: compileTool.summarize(result as never),
  };
}

const ctx = { engine: {}, llm: {}, signal: new AbortController().signal, progress: () => {}, log: {} } as unknown as OpContext;
const input = (detail: 'summary' | 'full') => compileTool.input.parse({ skill: 's', model: MODEL, compilerModel: 'c/m', detail });

describe('the compile result', () => {
  for (const published of [true, false]) {
    it(`stays under the result budget at its largest (${published ? 'published, env simulation failed' : 'guard rejected it'})`, async () => {
      outcome.current = worst(published);
      const out = await compileTool.handler(input('summary'), ctx);
      const env = envelope(out);
      expect(JSON.stringify(env).length).toBeLessThanOrEqual(RESULT_BUDGET_CHARS);
      expect(summarizeEnvelope(compileTool, env).length).toBeLessThanOrEqual(RESULT_BUDGET_CHARS);
      // Shortened, not dropped: counts stay whole and the end of the env failure (what went wrong) is kept.
      expect(out.gapCount).toBe(ALL_PRIMITIVE_IDS.length);
      expect(out.fileCount).toBe(60);
      expect(out.env!.failureReason!.endsWith(OUTPUT.slice(-100).replace(/\s+/g, ' '))).toBe(true);
      expect(out.passes[0]!.explanation).toEqual(EDITS);
    });
  }

  it('with detail "full" holds everything', async () => {
    outcome.current = worst(true);
    const out = await compileTool.handler(input('full'), ctx);
    expect(out.gaps).toHaveLength(ALL_PRIMITIVE_IDS.length);
    expect(out.files).toHaveLength(60);
    expect(out.notes).toHaveLength(30);
    expect(out.env!.failureReason).toBe(REASON);
    expect(out.passes[1]!.warning).toBe(`env-setup.sh is not validated: ${REASON}`);
    expect(out.diff).toHaveLength(20_000);
  });
});
