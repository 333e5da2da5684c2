import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { simulatedLlm } from '../../../../../test/scripted-sim.js';
import { requireUpstream } from '../../../../../test/upstream.js';
import type { Route } from '../../../config/schema.js';
import { LlmError } from '../../../llm/errors.js';
import type { ScriptStep } from '../../../sim/index.js';
import { isAbortError, SkvmError } from '../../../util/errors.js';
import { silentLogger } from '../../../util/log.js';
import { validateGuard } from '../../guard.js';
import { MeteredProvider } from '../../meter.js';
import type { PassContext } from '../../types.js';
import { run } from './index.js';
import type { ParallelPlanInput } from './plan.js';
import { renderWorkflowDag } from './render.js';

/** The whole pass through the real client, SDKs and HTTP, the simulator playing the compiler model. */

const { client, script } = simulatedLlm((sim): Route[] => [{ match: 'sim/*', kind: 'openai-compatible', baseUrl: sim.openaiBaseUrl, apiKey: 'sim-key' }], {
  retry: { baseDelayMs: 1, maxDelayMs: 2, maxAttempts: 2 },
});

const skill = readFileSync(path.join(requireUpstream(), 'skills', 'file-operations', 'SKILL.md'), 'utf8');
const workDir = mkdtempSync(path.join(os.tmpdir(), 'skvm-p3-'));
afterAll(() => rmSync(workDir, { recursive: true, force: true }));

function context(signal = new AbortController().signal): PassContext & { progressLines: string[] } {
  const progressLines: string[] = [];
  return {
    skillName: 'file-operations',
    workDir,
    skillContent: skill,
    originalSkill: skill,
    model: 'qwen/qwen3-30b',
    harness: 'bare-agent',
    compilerModel: 'sim/compiler',
    llm: new MeteredProvider(client()),
    artifacts: {},
    timeoutMs: 60_000,
    signal,
    progress: (m) => progressLines.push(m),
    progressLines,
    log: silentLogger,
    tmpRoot: os.tmpdir(),
    allowHostInstall: false,
  };
}

const answer = (plan: ParallelPlanInput | Record<string, unknown>): ScriptStep => ({ kind: 'message', toolCalls: [{ name: 'pass3_parallel_plan', arguments: plan }] });

const plan: ParallelPlanInput = {
  hasParallelism: true,
  reasoning: 'The three template files are independent writes once the directories exist; config edits apply the same change to each file.',
  steps: [
    { id: 'create_dirs', description: 'Create the project directories top-down', primitives: ['tool.exec'], dependsOn: [] },
    { id: 'write-readme', description: 'Write README.md with a "Usage" section', primitives: ['tool.write'], dependsOn: ['create_dirs'] },
    { id: ' write_gitignore ', description: ' Write .gitignore ', primitives: ['tool.write'], dependsOn: ['create_dirs', 'create_dirs'] },
    { id: 'write_pyproject', description: 'Write pyproject.toml', primitives: ['tool.write'], dependsOn: ['create_dirs', 'write_pyproject'] },
    { id: 'verify_structure', description: 'Check the tree matches the requirements', primitives: [], dependsOn: ['write-readme', 'write_gitignore', 'write_pyproject'] },
    { id: 'list_targets', description: 'List the config files that need the change', primitives: [], dependsOn: [] },
    { id: 'edit_configs', description: 'Read, change and re-read each target config file', primitives: ['tool.edit'], dependsOn: ['list_targets', 'ghost'] },
  ],
  parallelGroups: [
    { type: 'ilp', stepIds: ['write-readme', 'write_gitignore', 'write_pyproject'], reason: 'three independent file writes', mechanism: '' },
    { type: 'tlp', stepIds: ['verify_structure'], reason: 'lonely', mechanism: '' },
    { type: 'dlp', stepIds: ['edit_configs'], reason: 'each file is edited on its own', mechanism: 'xargs -P' },
  ],
};

const SECTION = `

---

**Parallel execution hints:** Some steps of this workflow can run at the same time. Apply a hint only if your harness supports its mechanism; otherwise run the steps sequentially, as written above.

**Group 1 — ILP (independent tool calls batched in one LLM turn):**

- **write-readme**: Write README.md with a "Usage" section
- **write_gitignore**: Write .gitignore
- **write_pyproject**: Write pyproject.toml

Mechanism: batched_tool_use: three independent file writes

Issue these tool calls together in a single assistant turn, as one batched tool_use block, then pass each result to the step that consumes it.

**Group 2 — DLP (same operation over independent data items):**

- **edit_configs**: Read, change and re-read each target config file

Mechanism: xargs -P: each file is edited on its own

Run this step's operation over all items at once with a parallel primitive (\`xargs -P\`, GNU parallel, Python's \`multiprocessing.Pool\`, \`Promise.all\`) instead of a loop, then merge the per-item results before moving on.
`;

const WORKFLOW_DAG = `## Workflow DAG

\`\`\`mermaid
graph TD
  create_dirs["Create the project directories top-down"]
  write_readme["Write README.md with a 'Usage' section"]
  write_gitignore["Write .gitignore"]
  write_pyproject["Write pyproject.toml"]
  verify_structure["Check the tree matches the requirements"]
  list_targets["List the config files that need the change"]
  edit_configs["Read, change and re-read each target config file"]
  create_dirs --> write_readme
  create_dirs --> write_gitignore
  create_dirs --> write_pyproject
  write_readme --> verify_structure
  write_gitignore --> verify_structure
  write_pyproject --> verify_structure
  list_targets --> edit_configs
\`\`\`
`;

describe('extract-parallelism on the upstream file-operations skill', () => {
  it('appends the exact hints section, keeps the normalised DAG and renders the exact workflow-dag.md', async () => {
    const policy = script([answer(plan)]);
    const ctx = context();
    const out = await run(ctx);

    expect(out.skillPatch).toEqual({ kind: 'append', content: SECTION });
    expect(renderWorkflowDag(out.artifacts.dag!)).toBe(WORKFLOW_DAG);
    expect(out.artifacts.dag!.parallelism).toEqual([
      { type: 'ilp', steps: ['write-readme', 'write_gitignore', 'write_pyproject'], mechanism: 'batched_tool_use: three independent file writes', fallback: 'sequential_execution' },
      { type: 'dlp', steps: ['edit_configs'], mechanism: 'xargs -P: each file is edited on its own', fallback: 'sequential_execution' },
    ]);
    expect(out.artifacts.dag!.steps.find((s) => s.id === 'write_pyproject')!.dependsOn).toEqual(['create_dirs']);
    expect(out.report).toEqual({
      summary: '2 parallel groups (ILP, DLP)',
      facts: {
        groups: [
          { type: 'ilp', steps: ['write-readme', 'write_gitignore', 'write_pyproject'] },
          { type: 'dlp', steps: ['edit_configs'] },
        ],
      },
    });

    // One forced structured call carrying our prompt and the skill.
    const [req, ...more] = policy.requests();
    expect(more).toEqual([]);
    expect(req!.toolChoice).toEqual({ name: 'pass3_parallel_plan' });
    expect(req!.maxTokens).toBe(4000);
    expect(req!.temperature).toBe(0);
    expect(req!.model).toBe('compiler');
    const prompt = String(req!.messages[0]!.content);
    for (const term of ['DLP (data-level)', 'ILP (instruction-level)', 'TLP (thread-level)', 'hasParallelism = false', '2 to 6 steps']) expect(prompt).toContain(term);
    expect(prompt).toContain(`<skill>\n${skill}\n</skill>`);
    expect(ctx.progressLines).toEqual(['decomposing the workflow']);
    expect((ctx.llm as MeteredProvider).totals().calls).toBe(1);

    // The compiled skill passes the guard and the pass wrote nothing itself.
    expect(validateGuard(skill, skill + SECTION)).toEqual({ passed: true, violations: [] });
    expect(readdirSync(workDir)).toEqual([]);
  });

  it("the model's no → an empty DAG, no patch, the reasoning in the summary", async () => {
    script([answer({ hasParallelism: false, reasoning: 'Each step needs the output of the one before it, so nothing can overlap.', steps: [], parallelGroups: [] })]);
    const out = await run(context());
    expect(out.artifacts).toEqual({ dag: { steps: [], parallelism: [] } });
    expect(out.skillPatch).toBeUndefined();
    expect(out.report).toEqual({ summary: 'no parallelism: Each step needs the output of the one before it, so nothing can overlap.', facts: { groups: [] } });
  });

  it('a plan with no viable group → an empty DAG and no patch', async () => {
    script([answer({ ...plan, parallelGroups: [{ type: 'ilp', stepIds: ['create_dirs', 'list_targets', 'edit_configs'], reason: '', mechanism: '' }] })]);
    const out = await run(context());
    expect(out.artifacts.dag).toEqual({ steps: [], parallelism: [] });
    expect(out.skillPatch).toBeUndefined();
    expect(out.report.summary).toMatch(/^no parallelism: no group of the plan was kept/);
  });

  it('an answer repaired after one invalid call is used', async () => {
    const policy = script([answer({ hasParallelism: 'yes', steps: 'many' }), answer(plan)]);
    const out = await run(context());
    expect(out.skillPatch?.content).toBe(SECTION);
    expect(policy.requests()).toHaveLength(2);
  });

  it('an answer still malformed after the repair fails the pass visibly (never "no parallelism")', async () => {
    script([answer({ hasParallelism: 'yes' }), answer({ hasParallelism: true, parallelGroups: [{ type: 'simd', stepIds: [] }] })]);
    const err = await run(context()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SkvmError);
    expect((err as SkvmError).code).toBe('structured_failed');
    expect((err as Error).message).toMatch(/pass3_parallel_plan/);
    expect((err as Error).message).toMatch(/parallelGroups\[0\]/);
  });

  it('a provider 500 propagates (after the retries)', async () => {
    const policy = script([
      { kind: 'fault', fault: { type: 'server_error', status: 500 } },
      { kind: 'fault', fault: { type: 'server_error', status: 500 } },
    ]);
    const err = await run(context()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LlmError);
    expect((err as LlmError).kind).toBe('transient');
    expect(policy.requests()).toHaveLength(2);
  });

  it('a provider 401 propagates at once', async () => {
    const policy = script([{ kind: 'fault', fault: { type: 'auth' } }]);
    const err = await run(context()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LlmError);
    expect((err as LlmError).kind).toBe('auth');
    expect(policy.requests()).toHaveLength(1);
  });

  it('cancellation during the call ends it with a cancellation error', { timeout: 10_000 }, async () => {
    const ac = new AbortController();
    script([
      () => {
        setTimeout(() => ac.abort('user stopped the compile'), 20);
        return { kind: 'fault', fault: { type: 'hang' } };
      },
    ]);
    const started = Date.now();
    const err = await run(context(ac.signal)).catch((e: unknown) => e);
    expect(isAbortError(err)).toBe(true);
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('an already cancelled compile sends nothing', async () => {
    const policy = script([answer(plan)]);
    const ac = new AbortController();
    ac.abort();
    const err = await run(context(ac.signal)).catch((e: unknown) => e);
    expect(isAbortError(err)).toBe(true);
    expect(policy.requests()).toHaveLength(0);
  });
});
