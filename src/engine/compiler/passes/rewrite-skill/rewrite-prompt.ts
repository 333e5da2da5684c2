import { DEGRADATION_STEPS, getPrimitive, levelOrder, PROBE_LEVELS, type DegradationStep, type Primitive } from '../../../primitives/catalog.js';
import { SKILL_FILE } from '../../../skills/load.js';
import type { CapabilityGap, SCR, ScrPath } from '../../types.js';
import type { BundleListing } from './bundle-files.js';
import type { Evidence, PrimitiveEvidence } from './evidence.js';
import type { PathChoice } from './gap-analysis.js';
import { fenced, oneLine } from './text.js';

/** The rewrite agent's prompts: the standing rules, the task with its evidence, and the guard repair. */

export const MAX_EDITED_REGIONS = 3;

export function rewriteSystemPrompt(model: string, harness: string): string {
  return `You adapt an agent skill (${SKILL_FILE}) so that a weaker model can carry it out. The target is ${model} running in the ${harness} harness.
Its capability profile shows gaps: places where the skill asks more of a primitive capability than the model has shown it can do. Your job is to lower those demands toward the level the model has, with the smallest local edits, while the skill keeps its intent, its structure and everything it asks to be produced or checked.

Work each gap through this chain: purpose → primitive → level required vs level the model has → the degradation guidance → one specific span of the text → a wording change there that demands less. When a link is missing (no span exercises the primitive, or no concrete change follows from the guidance), leave that gap alone. Handle missing capabilities before weak ones, and larger shortfalls first.

You may: reword a sentence or bullet in place; replace an open-ended choice with one default way; spell out an exact command, template or code pattern where the skill leaves the model to invent one; simplify how a step is executed or how its output is written; add at most one short clarifying sentence per gap.
You may not: add, remove or rename headings or sections; touch the front matter; change or remove a fenced code block (you may add a sentence next to it); drop or weaken any step, checklist item, check, validation, required output or coverage; reduce the number of steps or items; rewrite the document wholesale; add generic advice such as "be careful" or "double-check"; add loops, retries or branches; mention tools the skill does not already mention.
Edit at most ${MAX_EDITED_REGIONS} regions (a region is one run of consecutive changed lines), and keep the document about the same length.

Everything you need is in the first message: the skill, its bundled files, the gaps and the evidence for each. Files cut short there can be read in full with read_file. Then do exactly one of:
- leave the skill unchanged: reply with one sentence saying why, and do not write anything;
- write the complete new ${SKILL_FILE} once with write_file (path "${SKILL_FILE}"), then reply with one line per edit: where, which gap, what changed.
Only ${SKILL_FILE} may be written.`;
}

export interface RewritePromptInput {
  model: string;
  harness: string;
  skillContent: string;
  scr: SCR;
  gaps: readonly CapabilityGap[];
  alternatives: readonly PathChoice[];
  evidence: Evidence;
  bundle: BundleListing;
}

export function rewriteUserPrompt(input: RewritePromptInput): string {
  const out: string[] = [
    `Adapt ${SKILL_FILE} for ${input.model} on ${input.harness}. Everything you need is below.`,
    '',
    `## Current ${SKILL_FILE}`,
    fenced(input.skillContent, 'markdown'),
  ];

  if (input.bundle.files.length || input.bundle.notInlined.length) {
    out.push('', '## Bundled files (context only; do not edit them)');
    for (const f of input.bundle.files) {
      out.push('', `### ${f.rel}${f.truncated ? ` (first ${Buffer.byteLength(f.text)} of ${f.size} bytes)` : ''}`, fenced(f.text, fenceLang(f.rel)));
    }
    if (input.bundle.notInlined.length) out.push('', `Not inlined (read_file them if needed): ${input.bundle.notInlined.join(', ')}`);
  }

  out.push('', `## Capability gaps (${input.gaps.length})`, '', '| Primitive | Required | Model has | Gap | Purpose | What the skill uses it for |', '|---|---|---|---|---|---|');
  for (const g of input.gaps) {
    const use = requirementOf(input.scr, input.alternatives, g)?.evidence ?? '';
    out.push(`| ${g.primitiveId} | ${g.requiredLevel} | ${g.modelLevel} | ${g.gapType} | ${g.purposeId} | ${cell(oneLine(use, 80))} |`);
  }

  out.push('', '## Gap details');
  for (const primitiveId of unique(input.gaps.map((g) => g.primitiveId))) {
    const primitive = getPrimitive(primitiveId);
    if (!primitive) continue;
    out.push('', ...primitiveSection(primitive, input.gaps.filter((g) => g.primitiveId === primitiveId), input, input.evidence.byPrimitive.get(primitiveId)));
  }

  out.push(
    '',
    '## What to do',
    'For each gap: find the span of the skill where the primitive is exercised, see from the evidence how the model fails at that level, and check whether the degradation guidance suggests a concrete local change there. Edit only where all three agree; otherwise leave that gap alone.',
  );
  return out.join('\n');
}

function primitiveSection(p: Primitive, gaps: readonly CapabilityGap[], input: RewritePromptInput, ev: PrimitiveEvidence | undefined): string[] {
  const out = [`### ${p.id}: ${p.description}`];
  for (const g of gaps) {
    const req = requirementOf(input.scr, input.alternatives, g);
    const purpose = input.scr.purposes.find((x) => x.id === g.purposeId);
    out.push('', `**Gap**: ${g.gapType}; the skill needs ${g.requiredLevel}, the model has ${g.modelLevel}. **Purpose** ${g.purposeId}: ${oneLine(purpose?.description ?? '', 200)}`);
    if (req) out.push(`**The skill asks**: ${oneLine(req.evidence, 300)}`);
    const alt = input.alternatives.find((a) => a.purposeId === g.purposeId);
    if (alt) out.push(`**Better path**: this purpose is better served by another way the skill allows${alt.note ? ` (${oneLine(alt.note, 200)})` : ''}; steer the text toward it.`);
  }

  out.push('', '#### Profiling evidence');
  if (!ev || ev.levels.length === 0) out.push('No level results recorded for this primitive.');
  for (const l of ev?.levels ?? []) {
    const skipped = l.skipCount ? `, ${l.skipCount} skipped` : '';
    out.push(`- ${l.level} ${l.passed ? 'PASS' : 'FAIL'} (${l.passCount}/${l.totalCount - l.skipCount}${skipped})${l.testDescription ? `: ${oneLine(l.testDescription, 200)}` : ''}`);
    for (const d of l.failureDetails) out.push(`  - failed: ${d}`);
  }
  for (const f of ev?.failures ?? []) {
    out.push(`- failure report ${f.level} #${f.instance}: ${f.evalDetails}${f.agentText ? `; the model answered: "${f.agentText}"` : ''}`);
    for (const e of f.toolErrors) out.push(`  - tool error: ${e}`);
  }
  if (ev?.files.length) {
    out.push('', 'Failed runs (read_file if useful):', ...ev.files.map((f) => `- ${f.rel}${f.truncated ? ` (excerpt of ${f.size} bytes)` : ''}`));
  }

  out.push('', '#### Degradation guidance');
  out.push(...guidance(p, gaps));

  out.push('', '#### Levels');
  for (const level of PROBE_LEVELS) {
    const marks = [gaps.some((g) => g.requiredLevel === level) ? 'required' : '', gaps.some((g) => g.modelLevel === level) ? 'model has' : ''].filter(Boolean);
    out.push(`- ${level}: ${p.levels[level]}${marks.length ? ` ← ${marks.join(', ')}` : ''}`);
  }
  return out;
}

/** The one-level steps that lead from what the skill requires down to what the model has. */
export function stepsFor(gap: Pick<CapabilityGap, 'requiredLevel' | 'modelLevel'>): DegradationStep[] {
  return DEGRADATION_STEPS.filter((step) => {
    const [from, to] = step.split('->') as [typeof gap.requiredLevel, typeof gap.requiredLevel];
    return levelOrder(gap.requiredLevel) >= levelOrder(from) && levelOrder(gap.modelLevel) <= levelOrder(to);
  });
}

/** Guidance for every step any of the primitive's gaps needs (a primitive may have gaps under several purposes). */
function guidance(p: Primitive, gaps: readonly CapabilityGap[]): string[] {
  const steps = new Set(gaps.flatMap(stepsFor));
  const out = DEGRADATION_STEPS.filter((s) => steps.has(s)).map((step) => {
    const text = p.degradations[step];
    return `- ${step}: ${text ?? 'no way to ask for less is known; substitute another way to reach the goal, or leave it unchanged.'}`;
  });
  if (gaps.some((g) => g.modelLevel === 'L0')) {
    out.push('- The model showed this capability at no level: the most useful change is an exact, spelled-out recipe (command, template or code) in place of the open demand; if none fits, leave it unchanged.');
  }
  return out;
}

/** The SCR entry behind a gap, from the path gap analysis chose for its purpose. */
function requirementOf(scr: SCR, alternatives: readonly PathChoice[], gap: CapabilityGap) {
  for (const purpose of scr.purposes) {
    if (purpose.id !== gap.purposeId) continue;
    const alt = alternatives.find((a) => a.purposeId === purpose.id);
    const path: ScrPath | undefined = alt ? purpose.alternativePaths[alt.path as number] : purpose.currentPath;
    const hit = path?.primitives.find((x) => x.id === gap.primitiveId && x.minLevel === gap.requiredLevel) ?? path?.primitives.find((x) => x.id === gap.primitiveId);
    if (hit) return hit;
  }
  return undefined;
}

export function repairMessage(violations: readonly string[]): string {
  return [
    `The ${SKILL_FILE} you wrote breaks the structure rules, so it cannot be used:`,
    ...violations.map((v) => `- ${v}`),
    '',
    `This is your one chance to fix it. Write the complete ${SKILL_FILE} again with write_file, keeping every heading, code block and the front matter exactly as in the original and staying within the length limit; keep only the edits that fit those rules. If none do, write the original text back unchanged. Then reply with one line per edit kept.`,
  ].join('\n');
}

function fenceLang(rel: string): string {
  const ext = rel.slice(rel.lastIndexOf('.') + 1).toLowerCase();
  return ({ md: 'markdown', py: 'python', sh: 'bash', yml: 'yaml', js: 'javascript', mjs: 'javascript', ts: 'typescript' } as Record<string, string>)[ext] ?? ext;
}

function cell(text: string): string {
  return text.replace(/\|/g, '\\|');
}

function unique<T>(xs: readonly T[]): T[] {
  return [...new Set(xs)];
}
