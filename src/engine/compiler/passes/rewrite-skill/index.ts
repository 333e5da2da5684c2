import { SkvmError } from '../../../util/errors.js';
import type { PassContext, PassOutput } from '../../types.js';
import { bundleFiles } from './bundle-files.js';
import { collectEvidence } from './evidence.js';
import { analyzeGaps, type GapAnalysis } from './gap-analysis.js';
import { editedRegions } from './regions.js';
import { runRewriteAgent } from './rewrite-agent.js';
import { rewriteSystemPrompt, rewriteUserPrompt } from './rewrite-prompt.js';
import { extractScr } from './scr-extract.js';
import { replyLines } from './text.js';

/**
 * Pass 1, rewrite-skill (spec §4.7): extract the skill's capability requirements (SCR), compare
 * them with the target's profile, and — only when there are gaps worth compensating — let a
 * bounded agent lower the skill's demands with a few local edits that the guard accepts.
 */

/** Bounds of the agent's account in the compile result (the prompt asks for one line per edit, at most 3 edits). */
const EXPLANATION_LINES = 4;
const EXPLANATION_CHARS = 120;

export async function run(ctx: PassContext): Promise<PassOutput> {
  const tcp = ctx.tcp;
  if (!tcp) {
    throw new SkvmError(`rewrite-skill needs the capability profile of ${ctx.model} on ${ctx.harness}, and none was given.`, {
      code: 'usage',
      hint: 'Profile the target first (or pass a profile), or leave pass 1 out.',
    });
  }

  ctx.progress('extracting capability requirements');
  const extraction = await extractScr({ llm: ctx.llm, model: ctx.compilerModel, skillName: ctx.skillName, skillContent: ctx.skillContent, signal: ctx.signal });
  const analysis = analyzeGaps(extraction.scr, tcp.capabilities);
  const facts: Record<string, unknown> = {
    gaps: analysis.gaps.length,
    tolerated: analysis.tolerated,
    ...(analysis.alternatives.length ? { alternativePaths: analysis.alternatives } : {}),
    ...(analysis.unprofiled.length ? { unprofiled: analysis.unprofiled } : {}),
    unknownPrimitives: extraction.droppedIds,
    ...(extraction.reaskedIds.length ? { reaskedPrimitives: extraction.reaskedIds } : {}),
  };
  const artifacts = { scr: extraction.scr, gaps: analysis.gaps };
  const unknownNote = extraction.droppedIds.length ? `; unknown primitive ids dropped: ${extraction.droppedIds.join(', ')}` : '';
  const gapLine = describeGaps(analysis);

  if (analysis.gaps.length === 0) {
    return { artifacts, report: { summary: `${gapLine}; skill unchanged (no rewrite needed)${unknownNote}`, facts } };
  }

  ctx.progress(`collecting evidence for ${analysis.gaps.length} gap(s)`);
  const gapPrimitives = [...new Set(analysis.gaps.map((g) => g.primitiveId))];
  const evidence = await collectEvidence({
    primitives: gapPrimitives,
    tcp,
    ...(ctx.failureReports ? { failureReports: ctx.failureReports } : {}),
    ...(ctx.profileLogDir ? { profileLogDir: ctx.profileLogDir } : {}),
    workDir: ctx.workDir,
  });
  facts.evidence = { files: [...evidence.byPrimitive.values()].reduce((n, e) => n + e.files.length, 0), bytes: evidence.copiedBytes, refusedPaths: evidence.refused };
  const bundle = await bundleFiles(ctx.workDir);

  ctx.progress('rewriting SKILL.md');
  const result = await runRewriteAgent({
    llm: ctx.llm,
    compilerModel: ctx.compilerModel,
    system: rewriteSystemPrompt(ctx.model, ctx.harness),
    prompt: rewriteUserPrompt({ model: ctx.model, harness: ctx.harness, skillContent: ctx.skillContent, scr: extraction.scr, gaps: analysis.gaps, alternatives: analysis.alternatives, evidence, bundle }),
    workDir: ctx.workDir,
    currentSkill: ctx.skillContent,
    originalSkill: ctx.originalSkill,
    timeoutMs: ctx.timeoutMs,
    signal: ctx.signal,
    log: ctx.log,
  });
  if (result.guard) facts.guard = result.guard;
  if (result.repairedFrom) facts.repairedFrom = result.repairedFrom;
  if (result.stop !== 'done') facts.agentStop = result.stopDetail ?? result.stop;
  const base = { artifacts, iterations: result.iterations };

  if (result.guard && !result.guard.passed) {
    const warning = `The rewrite failed the guard${result.repairedFrom ? ' after one repair turn' : ' (no repair turn: the agent stopped before finishing its turn)'}, so the variant will not be published: ${result.guard.violations.join('; ')}`;
    return {
      ...base,
      skillPatch: { kind: 'rewrite', content: result.content },
      report: { summary: `${gapLine}; rewrite rejected by the guard${unknownNote}`, facts, warning },
    };
  }
  // What the agent says it did (or why it did nothing); a reply cut off by a limit is not an account.
  const explanation = result.stop === 'done' ? replyLines(result.reply, EXPLANATION_LINES, EXPLANATION_CHARS) : [];
  const explained = explanation.length ? { explanation } : {};
  if (!result.changed) {
    return { ...base, report: { summary: `${gapLine}; the agent left SKILL.md unchanged${result.stop === 'done' ? '' : ` (${result.stop})`}${unknownNote}`, facts, ...explained } };
  }
  const regions = editedRegions(ctx.skillContent, result.content);
  facts.editedRegions = regions;
  return {
    ...base,
    skillPatch: { kind: 'rewrite', content: result.content },
    report: { summary: `${gapLine}; ${regions} region${regions === 1 ? '' : 's'} edited${unknownNote}`, facts, ...explained },
  };
}

function describeGaps(a: GapAnalysis): string {
  const n = a.gaps.length + a.tolerated.length;
  if (n === 0) return 'no gaps';
  return `${n} gap${n === 1 ? '' : 's'}${a.tolerated.length ? ` (${a.tolerated.length} tolerated)` : ''}`;
}
