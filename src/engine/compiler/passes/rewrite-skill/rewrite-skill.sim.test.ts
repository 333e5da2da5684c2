import { chmodSync, cpSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { simulatedLlm } from '../../../../../test/scripted-sim.js';
import { tempDirs } from '../../../../../test/tmp.js';
import { UPSTREAM_PROFILES, UPSTREAM_ROOT, requireUpstream } from '../../../../../test/upstream.js';
import type { Route } from '../../../config/schema.js';
import { LlmError } from '../../../llm/errors.js';
import { ALL_PRIMITIVE_IDS, getPrimitive } from '../../../primitives/catalog.js';
import { loadFailureReports, loadProfile } from '../../../profiles/load.js';
import type { ScriptStep } from '../../../sim/index.js';
import { CancelledError } from '../../../util/errors.js';
import { silentLogger } from '../../../util/log.js';
import type { PassContext } from '../../types.js';
import { run } from './index.js';

/**
 * The whole pass against the scripted simulator playing the compiler model (real client, real
 * HTTP), on an upstream skill and upstream profiles.
 */

requireUpstream();
const tmp = tempDirs('skvm-p1-sim-');
const { client: llm, script } = simulatedLlm((sim): Route[] => [{ match: 'sim/*', kind: 'openai-compatible', baseUrl: sim.openaiBaseUrl, apiKey: 'sim-key-p1' }]);

const SKILL_SRC = path.join(UPSTREAM_ROOT, 'skills', 'web-research');
const ORIGINAL = readFileSync(path.join(SKILL_SRC, 'SKILL.md'), 'utf8');

async function context(profile: { harness: string; model: string }, over: Partial<PassContext> = {}): Promise<PassContext & { progressLines: string[] }> {
  const workDir = path.join(tmp(), 'web-research');
  cpSync(SKILL_SRC, workDir, { recursive: true });
  chmodSync(workDir, 0o755);
  chmodSync(path.join(workDir, 'SKILL.md'), 0o644);
  const loaded = await loadProfile(UPSTREAM_PROFILES, profile.harness, profile.model);
  const failureReports = await loadFailureReports(UPSTREAM_PROFILES, profile.harness, profile.model);
  const progressLines: string[] = [];
  return {
    skillName: 'web-research',
    workDir,
    skillContent: ORIGINAL,
    originalSkill: ORIGINAL,
    tcp: loaded.tcp,
    ...(failureReports ? { failureReports } : {}),
    model: loaded.tcp.model,
    harness: profile.harness,
    compilerModel: 'sim/compiler',
    llm: llm(),
    artifacts: {},
    timeoutMs: 30_000,
    signal: new AbortController().signal,
    progress: (m) => progressLines.push(m),
    log: silentLogger,
    tmpRoot: tmp(),
    allowHostInstall: false,
    progressLines,
    ...over,
  };
}

const QWEN_9B = { harness: 'bare-agent', model: 'qwen--qwen3.5-9b' };
const STRONG = { harness: 'openclaw', model: 'deepseek--deepseek-v4-pro' };

type Prim = [string, 'L1' | 'L2' | 'L3'];
const p = (id: string, description: string, prims: Prim[], alternatives: Prim[][] = []) => ({
  id,
  description,
  currentPath: { primitives: prims.map(([pid, minLevel]) => ({ id: pid, minLevel, evidence: `the skill needs ${pid}` })) },
  alternativePaths: alternatives.map((a) => ({ primitives: a.map(([pid, minLevel]) => ({ id: pid, minLevel, evidence: 'alt' })) })),
});
// Against qwen3.5-9b: tool.web is unprofiled (missing), gen.text.long is L1 (needs L3: weak by 2),
// reason.logic is L2 (needs L3: tolerated), follow.format L3 and tool.file.write L2 are met.
const SCR = {
  skillName: 'web-research',
  purposes: [
    p('gather-data', 'Fetch data from web APIs and pages', [['tool.web', 'L2']]),
    p('write-report', 'Write the structured research report', [['gen.text.long', 'L3'], ['follow.format', 'L3'], ['tool.file.write', 'L1']]),
    p('cross-check', 'Cross-reference sources', [['reason.logic', 'L3']]),
  ],
};

const scrCall = (scr: unknown): ScriptStep => ({ kind: 'message', toolCalls: [{ name: 'skill_requirements', arguments: scr as Record<string, unknown> }] });
const write = (content: string, file = 'SKILL.md'): ScriptStep => ({ kind: 'message', toolCalls: [{ name: 'write_file', arguments: { path: file, content } }] });
const say = (text: string): ScriptStep => ({ kind: 'message', text });

const FETCH_LINE = '2. **Search & fetch** — Use web_fetch to gather data from relevant URLs';
const FETCH_EASIER = '2. **Search & fetch** — Use web_fetch on one exact URL at a time (prefer the JSON APIs below) and take one field from each response';
const SYNTH_LINE = '4. **Synthesize** — Combine findings into a structured report';
const SYNTH_EASIER = '4. **Synthesize** — Combine findings into the report, writing one section at a time';
const GOOD_REWRITE = ORIGINAL.replace(FETCH_LINE, FETCH_EASIER).replace(SYNTH_LINE, SYNTH_EASIER);
// Drops the "## Data Accuracy" heading and mangles the report template's code block.
const BAD_REWRITE = GOOD_REWRITE.replace('## Data Accuracy\n', '').replace('## Executive Summary', '## Summary');

describe('rewrite-skill pass', () => {
  it('extracts the SCR, sends only compensable gaps and their evidence to a read/write-only agent, and returns the guarded rewrite', async () => {
    const logs = tmp();
    const ctx = await context(QWEN_9B, { profileLogDir: logs });
    // This profile records no failure artifacts: give gen.text.long L2 one in the profile's own
    // log folder, and one named by another machine's path (never followed).
    const conv = path.join(logs, 'gen.text.long', 'L2', 'instance-0.jsonl');
    mkdirSync(path.dirname(conv), { recursive: true });
    writeFileSync(conv, '{"role":"assistant","text":"The report stops after 900 words"}\n');
    ctx.tcp!.details.find((d) => d.primitiveId === 'gen.text.long')!.levelResults[1]!.failureArtifacts = [
      { convLog: conv, evalScript: '/Users/someone/skillvm/data/logs/profile/x/gen.text.long/L2/instance-0-eval.sh' },
    ];
    const policy = script([
      scrCall(SCR),
      { kind: 'message', toolCalls: [{ name: 'read_file', arguments: { path: 'SKILL.md' } }, { name: 'write_file', arguments: { path: 'notes.txt', content: 'x' } }] },
      { kind: 'message', toolCalls: [{ name: 'execute_command', arguments: { command: 'touch pwned' } }] },
      write(GOOD_REWRITE),
      say('Edited step 2 (tool.web) and step 4 (gen.text.long).'),
    ]);
    const out = await run(ctx);

    expect(out.artifacts.scr?.purposes.map((x) => x.id)).toEqual(['gather-data', 'write-report', 'cross-check']);
    expect(out.artifacts.gaps).toEqual([
      { purposeId: 'gather-data', primitiveId: 'tool.web', requiredLevel: 'L2', modelLevel: 'L0', gapType: 'missing' },
      { purposeId: 'write-report', primitiveId: 'gen.text.long', requiredLevel: 'L3', modelLevel: 'L1', gapType: 'weak' },
    ]);
    expect(out.skillPatch).toEqual({ kind: 'rewrite', content: GOOD_REWRITE });
    expect(readFileSync(path.join(ctx.workDir, 'SKILL.md'), 'utf8')).toBe(GOOD_REWRITE);
    expect(out.iterations).toBe(4);
    expect(out.report.summary).toBe('3 gaps (1 tolerated); 2 regions edited');
    expect(out.report.explanation).toEqual(['Edited step 2 (tool.web) and step 4 (gen.text.long).']);
    expect(out.report.warning).toBeUndefined();
    expect(out.report.facts).toMatchObject({
      gaps: 2,
      tolerated: [{ purposeId: 'cross-check', primitiveId: 'reason.logic', requiredLevel: 'L3', modelLevel: 'L2', gapType: 'weak' }],
      unprofiled: ['tool.web'],
      unknownPrimitives: [],
      guard: { passed: true, violations: [] },
      editedRegions: 2,
    });
    expect(out.report.facts?.evidence).toEqual({ files: 1, bytes: 63, refusedPaths: 1 });
    expect(readFileSync(path.join(ctx.workDir, '_profiling/gen.text.long/L2/failure-0.jsonl'), 'utf8')).toBe(readFileSync(conv, 'utf8'));
    expect(existsSync(path.join(ctx.workDir, 'notes.txt'))).toBe(false);
    expect(existsSync(path.join(ctx.workDir, 'pwned'))).toBe(false);
    expect(ctx.progressLines[0]).toBe('extracting capability requirements');

    const [scrReq, first, second, third] = policy.requests();
    expect(scrReq!.toolChoice).toEqual({ name: 'skill_requirements' });
    for (const id of ALL_PRIMITIVE_IDS) expect(scrReq!.messages[0]!.content).toContain(`- ${id} (`);
    expect(scrReq!.messages[0]!.content).toContain(FETCH_LINE);

    expect(first!.tools.map((t) => t.name)).toEqual(['read_file', 'write_file']);
    expect(first!.temperature).toBe(0);
    expect(first!.system).toContain('qwen/qwen3.5-9b');
    expect(first!.system).toContain('at most 3 regions');
    const prompt = first!.messages[0]!.content as string;
    expect(prompt).toContain('| tool.web | L2 | L0 | missing | gather-data |');
    expect(prompt).toContain('| gen.text.long | L3 | L1 | weak | write-report |');
    // Evidence and guidance for the gap primitives only; the tolerated one is not sent.
    expect(prompt).toContain('### gen.text.long:');
    expect(prompt).toContain('### tool.web:');
    expect(prompt).not.toContain('reason.logic');
    expect(prompt).not.toMatch(/### (follow\.format|tool\.file\.write)/);
    const long = getPrimitive('gen.text.long')!;
    expect(prompt).toContain(`- L3->L2: ${long.degradations['L3->L2']}\n- L2->L1: ${long.degradations['L2->L1']}`);
    expect(prompt).toContain(`- L2->L1: ${getPrimitive('tool.web')!.degradations['L2->L1']}\n- The model showed this capability at no level`);
    const longText = ctx.tcp!.details.find((d) => d.primitiveId === 'gen.text.long')!;
    expect(prompt).toContain(`- L2 FAIL (${longText.levelResults[1]!.passCount}/`);
    expect(prompt).toContain('- _profiling/gen.text.long/L2/failure-0.jsonl');
    // The tool results the agent saw: SKILL.md read, other writes refused, other tools unknown.
    const results = second!.messages.filter((m) => m.role === 'tool').map((m) => m.content);
    expect(results[0]).toBe(ORIGINAL);
    expect(results[1]).toMatch(/only SKILL\.md may be written/);
    expect(third!.messages.filter((m) => m.role === 'tool').at(-1)!.content).toMatch(/Unknown tool: execute_command/);
  });

  it('unknown primitive ids are sent back once with the allowed list; ids still unknown are dropped and reported, never gaps', async () => {
    const ctx = await context(STRONG);
    const first = { skillName: 'web-research', purposes: [p('gather', 'Fetch', [['tool.websearch', 'L2'], [' gen.code.rust ', 'L1'], ['follow.format', 'L1']])] };
    const second = { skillName: 'web-research', purposes: [p('gather', 'Fetch', [['tool.web', 'L2'], ['gen.code.rust', 'L1'], ['follow.format', 'L1']], [[['tool.browse', 'L1']]])] };
    const policy = script([scrCall(first), scrCall(second)]);
    const out = await run(ctx);

    expect(policy.requests()).toHaveLength(2);
    const reask = policy.requests()[1]!.messages[0]!.content as string;
    expect(reask).toContain('not in the list: gen.code.rust, tool.websearch');
    expect(reask).toContain(`Allowed ids: ${ALL_PRIMITIVE_IDS.join(', ')}.`);
    expect(reask).toContain('"tool.websearch"');
    const ids = out.artifacts.scr!.purposes[0]!.currentPath.primitives.map((x) => x.id);
    expect(ids).toEqual(['tool.web', 'follow.format']);
    expect(out.artifacts.scr!.purposes[0]!.alternativePaths[0]!.primitives).toEqual([]);
    expect(out.artifacts.gaps).toEqual([]);
    expect(out.report.facts).toMatchObject({ unknownPrimitives: ['gen.code.rust', 'tool.browse'], reaskedPrimitives: ['gen.code.rust', 'tool.websearch'] });
    expect(out.report.summary).toBe('no gaps; skill unchanged (no rewrite needed); unknown primitive ids dropped: gen.code.rust, tool.browse');
  });

  it('only tolerated gaps: no agent call, the skill is returned unchanged and the report says why', async () => {
    const ctx = await context(QWEN_9B);
    const policy = script([scrCall({ skillName: 'web-research', purposes: [p('cross-check', 'Cross-reference sources', [['reason.logic', 'L3']])] })]);
    const out = await run(ctx);
    expect(policy.requests()).toHaveLength(1);
    expect(out.skillPatch).toBeUndefined();
    expect(out.iterations).toBeUndefined();
    expect(out.artifacts.gaps).toEqual([]);
    expect(out.report.summary).toBe('1 gap (1 tolerated); skill unchanged (no rewrite needed)');
    expect(readFileSync(path.join(ctx.workDir, 'SKILL.md'), 'utf8')).toBe(ORIGINAL);
    expect(readdirSync(ctx.workDir)).toEqual(['SKILL.md']);
  });

  it('a gap-free alternative path satisfies its purpose: no agent call', async () => {
    const ctx = await context(QWEN_9B);
    const policy = script([scrCall({ skillName: 'web-research', purposes: [p('write-report', 'Write the report', [['gen.text.long', 'L3']], [[['gen.text.structured', 'L2']]])] })]);
    const out = await run(ctx);
    expect(policy.requests()).toHaveLength(1);
    expect(out.report.facts?.alternativePaths).toEqual([{ purposeId: 'write-report', path: 0 }]);
    expect(out.skillPatch).toBeUndefined();
  });

  it('a rewrite failing the guard gets one repair turn naming the violations; the repaired rewrite is used', async () => {
    const ctx = await context(QWEN_9B);
    const policy = script([scrCall(SCR), write(BAD_REWRITE), say('done'), write(GOOD_REWRITE), say('restored the heading and the template')]);
    const out = await run(ctx);
    const repair = policy.requests()[3]!.messages.at(-1)!;
    expect(repair.role).toBe('user');
    expect(repair.content).toContain('- Heading removed: "## Data Accuracy"');
    expect(repair.content).toMatch(/- Code block missing: "# \[Topic\] Research Report/);
    expect(out.skillPatch).toEqual({ kind: 'rewrite', content: GOOD_REWRITE });
    expect(out.report.facts).toMatchObject({ guard: { passed: true, violations: [] }, repairedFrom: expect.arrayContaining(['Heading removed: "## Data Accuracy"']) });
    expect(out.report.warning).toBeUndefined();
    // The account is the reply after the repair: it describes the edits that were kept.
    expect(out.report.explanation).toEqual(['restored the heading and the template']);
  });

  it('a rewrite still failing after the repair is passed on as written (the compile then refuses to publish it), violations in the warning', async () => {
    const ctx = await context(QWEN_9B);
    const repaired = BAD_REWRITE.replace('# Web Research', '# Web Research Guide');
    const policy = script([scrCall(SCR), write(BAD_REWRITE), say('done'), write(repaired), say('done again')]);
    const out = await run(ctx);
    expect(policy.requests()).toHaveLength(5);
    expect(out.skillPatch).toEqual({ kind: 'rewrite', content: repaired });
    expect(readFileSync(path.join(ctx.workDir, 'SKILL.md'), 'utf8')).toBe(repaired);
    const guard = out.report.facts?.guard as { passed: boolean; violations: string[] };
    expect(guard.passed).toBe(false);
    expect(guard.violations).toEqual(expect.arrayContaining(['Heading removed: "## Data Accuracy"', 'Heading added: "# Web Research Guide"']));
    expect(out.report.warning).toContain('failed the guard after one repair turn, so the variant will not be published');
    for (const v of guard.violations) expect(out.report.warning).toContain(v);
    expect(out.report.summary).toBe('3 gaps (1 tolerated); rewrite rejected by the guard');
    // Edits that were not kept are not explained as changes.
    expect(out.report.explanation).toBeUndefined();
  });

  it('the agent may leave the skill unchanged', async () => {
    const ctx = await context(QWEN_9B);
    script([scrCall(SCR), say('No local edit lowers these demands; leaving the skill as it is.')]);
    const out = await run(ctx);
    expect(out.skillPatch).toBeUndefined();
    expect(out.report.summary).toBe('3 gaps (1 tolerated); the agent left SKILL.md unchanged');
    expect(out.report.explanation).toEqual(['No local edit lowers these demands; leaving the skill as it is.']);
    expect(out.report.facts?.guard).toBeUndefined();
  });

  it("the agent's account is kept short: at most four lines of at most 120 characters", async () => {
    const ctx = await context(QWEN_9B);
    const lines = Array.from({ length: 8 }, (_, i) => `- step ${i + 1} (tool.web): ${'x'.repeat(200)}`);
    script([scrCall(SCR), write(GOOD_REWRITE), say(`${lines.join('\n\n')}\n`)]);
    const out = await run(ctx);
    const explanation = out.report.explanation!;
    expect(explanation).toHaveLength(4);
    expect(explanation[0]).toBe(`${lines[0]!.slice(0, 120)}…`);
    expect(explanation[2]).toMatch(/^- step 3 \(tool\.web\): x+…$/);
    expect(explanation[3]).toBe('… 5 more lines');
  });

  it('an agent that runs out of time leaves SKILL.md as it was, and the summary says so', async () => {
    const ctx = await context(QWEN_9B, { timeoutMs: 300 });
    script([scrCall(SCR), { kind: 'fault', fault: { type: 'hang' } }]);
    const out = await run(ctx);
    expect(out.skillPatch).toBeUndefined();
    expect(out.report.summary).toBe('3 gaps (1 tolerated); the agent left SKILL.md unchanged (timeout)');
    expect(out.report.explanation).toBeUndefined();
    expect(out.report.facts?.agentStop).toMatch(/timeout 300ms/);
    expect(readFileSync(path.join(ctx.workDir, 'SKILL.md'), 'utf8')).toBe(ORIGINAL);
  });

  it('cancellation through the signal stops the agent and rejects with CancelledError', async () => {
    const ac = new AbortController();
    const ctx = await context(QWEN_9B, { signal: ac.signal });
    script([
      scrCall(SCR),
      () => {
        ac.abort('user stopped the compile');
        return { kind: 'fault', fault: { type: 'hang' } };
      },
    ]);
    await expect(run(ctx)).rejects.toBeInstanceOf(CancelledError);
  });

  it('a provider error propagates, from the extraction and from the agent', async () => {
    script([{ kind: 'fault', fault: { type: 'auth' } }]);
    const e1 = await run(await context(QWEN_9B)).catch((x: unknown) => x);
    expect(e1).toBeInstanceOf(LlmError);
    expect((e1 as LlmError).kind).toBe('auth');

    script([scrCall(SCR), { kind: 'fault', fault: { type: 'bad_request', message: 'context too long' } }]);
    const e2 = await run(await context(QWEN_9B)).catch((x: unknown) => x);
    expect(e2).toBeInstanceOf(LlmError);
    expect((e2 as LlmError).kind).toBe('bad_request');
  });

  it('without a profile the pass refuses before calling the model', async () => {
    const policy = script([]);
    const ctx = await context(QWEN_9B);
    delete ctx.tcp;
    await expect(run(ctx)).rejects.toThrow(/needs the capability profile/);
    expect(policy.requests()).toHaveLength(0);
  });
});
