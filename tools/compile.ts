import { z } from 'zod';
import { detailArg } from '../src/contract/detail.js';
import { HARNESS_HELP, harnessSchema } from '../src/contract/harness.js';
import { idArg, listArg, modelArg, pathArg } from '../src/contract/limits.js';
import { defineOperation, type TextStyle } from '../src/contract/operation.js';
import { ALL_PASSES } from '../src/engine/compiler/registry.js';
import type { StartCompileResult } from '../src/engine/compiler/start.js';

/**
 * What the default (summary) result keeps, so that it stays within the result budget however
 * much the compile reports: the first few of each list (counts stay whole) and texts written by
 * the compiler model or a script cut to a line or two. detail "full" keeps everything.
 */
const SHORT = { gaps: 3, violations: 3, groups: 2, steps: 3, notes: 1, name: 24, text: 100, reason: 120 } as const;

const PASS_LIST = ALL_PASSES.map((p) => `${p.number} ${p.id}${p.requiresTcp ? ' (needs a profile)' : ''}`).join(', ');

const Usage = z.object({ input: z.number(), output: z.number() });

const CompileOutput = z.object({
  skill: z.string(),
  model: z.string(),
  harness: z.string(),
  passTag: z.string().describe('The variant’s passes, e.g. p1p2p3'),
  published: z.boolean().describe('The variant was written (false for a dry run or a guard failure)'),
  dryRun: z.boolean(),
  variantDir: z.string().describe('Where the variant is (or would be)'),
  resource: z.string().describe('skvm://variants/… resource of the variant and its files'),
  gaps: z.array(z.object({ primitive: z.string(), purpose: z.string(), required: z.string(), modelHas: z.string() })).describe(`Capability gaps pass 1 compensated for (the first ${SHORT.gaps} unless detail is "full"; the variant resource has all)`),
  gapCount: z.number(),
  guard: z.object({ passed: z.boolean(), violations: z.array(z.string()).describe(`The first ${SHORT.violations} unless detail is "full"`) }),
  env: z
    .object({ success: z.boolean(), attempts: z.number(), failureReason: z.string().optional().describe('The end of the script’s output unless detail is "full" (all of it in the variant’s _artifacts/envSimulation.json)') })
    .optional()
    .describe('Pass 2’s simulation of env-setup.sh'),
  parallelGroups: z.array(z.object({ type: z.string(), steps: z.array(z.string()) })).describe(`The first ${SHORT.groups} unless detail is "full"`),
  passes: z.array(
    z.object({
      number: z.number(),
      id: z.string(),
      summary: z.string(),
      warning: z.string().optional(),
      explanation: z.array(z.string()).optional().describe('What the pass says it changed and why (pass 1: one line per edit, or why it left SKILL.md alone)'),
      costUsd: z.number(),
      tokens: Usage.optional().describe('detail "full" (compilation-plan.json has them too)'),
      durationMs: z.number().optional().describe('detail "full"'),
    }),
  ),
  tokens: Usage,
  costUsd: z.number(),
  costIncomplete: z.boolean().describe('Some call had no known price: costUsd is a lower bound'),
  diffStats: z.object({ added: z.number(), removed: z.number() }).describe('Lines of SKILL.md added and removed'),
  diff: z.string().optional().describe('detail "full": unified diff of SKILL.md, original → compiled'),
  diffResource: z.string().optional().describe('Published variants whose SKILL.md changed: resource of the unified diff of SKILL.md (_artifacts/SKILL.md.diff)'),
  planResource: z.string().optional().describe('Published variants: resource of compilation-plan.json (artifacts, per-pass runs, guard verdict)'),
  files: z.array(z.string()).optional().describe('detail "full": files of the variant, written or (dry run) that would be; the variant resource lists them'),
  fileCount: z.number(),
  profile: z
    .object({ from: z.enum(['cache', 'file', 'profiled']), path: z.string().optional().describe('detail "full"'), profiledAt: z.string(), note: z.string().optional() })
    .optional()
    .describe('The capability profile the passes used'),
  notes: z.array(z.string()).optional().describe(`Bundle files left out (a symlink leading outside the skill, …; the first ${SHORT.notes} unless detail is "full")`),
  durationMs: z.number(),
});
type Out = z.output<typeof CompileOutput>;

export const compileTool = defineOperation({
  name: 'compile',
  title: 'Compile a skill for a target model',
  description: `Compile a skill (SKILL.md folder) for a target model and harness, so a skill written for a strong model works on the one its capability profile describes. Passes: ${PASS_LIST}; all three run by default. Pass 1 rewrites SKILL.md to compensate for the capability gaps (it needs the target's profile: the cached one, a profileFile, or profileIfMissing to profile first); pass 2 writes and sandbox-tests env-setup.sh; pass 3 appends parallel-execution hints. The result is checked by the guard (no dropped code blocks or headings, bounded growth) and published as a variant only when it passes; the previous variant stays untouched otherwise. Returns the variant's path and resource, the gaps (primitive, level required, level the model has), the guard verdict, the env simulation outcome, parallel groups, one line per pass (pass 1 adds the rewrite agent's own account of each edit and the gap it addresses), tokens and cost, and the size of the SKILL.md diff. The full diff and the compilation plan of a published variant are resources: read diffResource and planResource with resources/read (detail "full" also puts the diff in the result). dryRun writes nothing, so a dry run has no resources: its diff is in the result only with detail "full". By default lists are cut to their first few and long texts (an env-setup.sh failure, warnings) to a line; detail "full" returns all of it. This is a run: poll it with run_status.`,
  input: z.strictObject({
    skill: pathArg().describe('Skill name (a folder under the dataset’s skills/) or path to a skill folder or .md file.'),
    model: modelArg().describe('Target model the variant is for, <provider>/<model-id>.'),
    adapter: harnessSchema().default('bare-agent').describe(HARNESS_HELP),
    passes: listArg(idArg(), ALL_PASSES.length)
      .optional()
      .describe(`Passes by number or id (default: all three — ${ALL_PASSES.map((p) => p.id).join(', ')}); compile_passes lists them.`),
    compilerModel: modelArg().describe('Model that does the compiling (any configured route), e.g. a strong model.'),
    profileFile: pathArg().optional().describe('A profile JSON file to use instead of the cached profile; it must profile the target model and adapter.'),
    allowProfileMismatch: z.boolean().default(false).describe('Use a profileFile of another model or harness anyway.'),
    profileIfMissing: z.boolean().default(false).describe('When a selected pass needs a profile and none is cached, profile the target first (hundreds of agent runs).'),
    dryRun: z.boolean().default(false).describe('Run the passes and return what would be written, the diff and the guard verdict; write nothing.'),
    timeoutMs: z.number().int().min(1000).max(3_600_000).default(300_000).describe('Per pass: time limit of its agent loop or command.'),
    allowHostInstall: z.boolean().default(false).describe('Let pass 2 test env-setup.sh on this machine instead of in the sandbox (it installs packages).'),
    detail: detailArg('the unified diff of SKILL.md, every gap, guard violation, parallel group and file, whole warnings and env-setup.sh output, per-pass tokens and times'),
  }),
  output: CompileOutput,
  effect: 'write',
  idempotent: false,
  openWorld: true,
  mode: 'run',
  cliDefaults: { detail: 'full' },
  cliHelp: {
    exitCodes:
      '0 the variant was published (a dry run: it would be); 1 nothing was published — the guard rejected the result, a pass or the profiling failed, or the compile was refused (a needed profile missing, an unknown skill, pass or model route); 3 it ran but falls short — env-setup.sh failed its simulation (the variant is published with it), or a dry run’s result would fail the guard. The diff is coloured when stdout is a terminal (NO_COLOR turns that off, FORCE_COLOR=1 forces it).',
    examples: [
      'skvm compile --skill=slug-rules --model=openrouter/qwen/qwen3-30b --compiler-model=openrouter/anthropic/claude-sonnet-4.6 --profile-if-missing',
      'skvm compile --skill=slug-rules --model=openrouter/qwen/qwen3-30b --compiler-model=openrouter/anthropic/claude-sonnet-4.6 --passes=3 --dry-run',
    ],
  },
  label: (i) => `compile ${i.skill} for ${i.model} on ${i.adapter}${i.passes ? ` (passes ${i.passes.join(',')})` : ''}${i.dryRun ? ' (dry run)' : ''}`,
  async handler(input, ctx) {
    const { startCompile } = await import('../src/engine/compiler/start.js');
    const { detail, adapter, ...rest } = input;
    const o = await startCompile(ctx.engine, { ...rest, harness: adapter, llm: ctx.llm, signal: ctx.signal, onProgress: ctx.progress, log: ctx.log, ...(ctx.runId ? { runId: ctx.runId } : {}) });
    return resultOf(o, detail === 'full');
  },
  verdict(out) {
    if (!out.guard.passed) {
      const why = `the compiled SKILL.md failed the guard (${out.guard.violations.slice(0, 3).join('; ')}${out.guard.violations.length > 3 ? '; …' : ''})`;
      if (out.dryRun) return { kind: 'not-passed', message: `Dry run: ${why}; it would not be published.` };
      return {
        kind: 'failed',
        message: `Nothing was published: ${why}.`,
        hint: 'Any earlier variant is unchanged. Compile again (the compiler model may do better), inspect the change with dryRun and detail "full", or leave pass 1 out.',
      };
    }
    if (out.env && !out.env.success) {
      return { kind: 'not-passed', message: `env-setup.sh failed its simulation after ${out.env.attempts} attempt(s)${out.env.failureReason ? `: ${out.env.failureReason}` : ''}; ${out.published ? 'the variant was published with it, but the environment may be incomplete' : 'see the result'}.` };
    }
    return { kind: 'ok' };
  },
  // detail "full" (the terminal's default) shows everything; the short form only what the structured result does not say better.
  summarize: (out, style) => (out.diff === undefined ? briefText(out) : fullText(out, style)),
});


function headline(out: Out): string {
  return `${out.skill} for ${out.model} on ${out.harness} (${out.passTag}): ${out.published ? 'published' : out.dryRun ? 'dry run, nothing written' : 'NOT published'}`;
}

const gapText = (g: Out['gaps'][number]) => `${g.primitive} needs ${g.required}, has ${g.modelHas}`;
const more = (shown: number, total: number) => (total > shown ? '; …' : '');
const passLine = (p: Out['passes'][number]) => `  pass ${p.number} ${p.id}: ${p.summary}`;
const explained = (p: Out['passes'][number]) => (p.explanation ?? []).map((line) => `      ${line}`);
const cost = (out: Out) => `$${out.costUsd.toFixed(4)}${out.costIncomplete ? ' (some prices unknown)' : ''}`;

/** The short form: verdicts, what each pass did and why, and where the diff is. */
function briefText(out: Out): string {
  const verdicts = [
    out.gapCount > 0 ? `gaps (${out.gapCount}): ${out.gaps.map((g) => g.primitive).join(', ')}${out.gapCount > out.gaps.length ? ', …' : ''}` : 'no gaps',
    `guard ${out.guard.passed ? 'passed' : 'FAILED'}`,
    ...(out.env ? [`env-setup.sh ${out.env.success ? 'simulated ok' : 'simulation FAILED'}`] : []),
    cost(out),
  ];
  const lines = [headline(out), `  ${verdicts.join('; ')}`];
  for (const p of out.passes) lines.push(passLine(p), ...explained(p));
  lines.push(`  SKILL.md: +${out.diffStats.added} -${out.diffStats.removed} lines${diffPointer(out)}`);
  return lines.join('\n');
}

/** Everything, with the diff (coloured on a terminal). */
function fullText(out: Out, style?: TextStyle): string {
  const lines = [headline(out), `  variant: ${out.variantDir}`, `  resource: ${out.resource}`];
  if (out.profile) lines.push(`  profile: ${PROFILE_FROM[out.profile.from]}${out.profile.path ? ` ${out.profile.path}` : ''} (${out.profile.profiledAt})${out.profile.note ? ` — ${out.profile.note}` : ''}`);
  if (out.gapCount > 0) lines.push(`  gaps (${out.gapCount}): ${out.gaps.map(gapText).join('; ')}${more(out.gaps.length, out.gapCount)}`);
  lines.push(`  guard: ${out.guard.passed ? 'passed' : `FAILED — ${out.guard.violations.join('; ')}`}`);
  if (out.env) lines.push(`  env-setup.sh: ${out.env.success ? 'simulated ok' : 'simulation FAILED'} (${out.env.attempts} attempt(s))${out.env.failureReason ? ` — ${out.env.failureReason}` : ''}`);
  if (out.parallelGroups.length) lines.push(`  parallel groups: ${out.parallelGroups.map((g) => `${g.type} [${g.steps.join(', ')}]`).join('; ')}`);
  for (const p of out.passes) {
    const used = [...(p.tokens ? [`${p.tokens.input}+${p.tokens.output} tokens`] : []), `$${p.costUsd.toFixed(4)}`, ...(p.durationMs === undefined ? [] : [`${(p.durationMs / 1000).toFixed(1)} s`])];
    lines.push(`${passLine(p)}${p.warning ? ` (warning: ${p.warning})` : ''} — ${used.join(', ')}`, ...explained(p));
  }
  lines.push(`  total: ${out.tokens.input}+${out.tokens.output} tokens, ${cost(out)}, ${(out.durationMs / 1000).toFixed(1)} s`);
  lines.push(`  SKILL.md: +${out.diffStats.added} -${out.diffStats.removed} lines`);
  if (out.planResource) lines.push(`  plan: ${out.planResource}`);
  if (out.diffResource) lines.push(`  diff: ${out.diffResource}`);
  if (out.diff) lines.push('', colorDiff(out.diff.trimEnd(), style));
  return lines.join('\n');
}

const PROFILE_FROM = { cache: 'cached', file: 'file', profiled: 'profiled by this compile' } as const;

/** The operation's result from the compile's outcome: everything with `full`, else the SHORT cut. */
function resultOf(o: StartCompileResult, full: boolean) {
  const list = <T>(xs: readonly T[], n: number): T[] => (full ? [...xs] : xs.slice(0, n));
  const cut = (text: string, max: number = SHORT.text) => (full ? text : clip(text, max));
  const gaps = o.gaps.map((g) => ({ primitive: g.primitiveId, purpose: cut(g.purposeId, SHORT.name), required: g.requiredLevel, modelHas: g.modelLevel }));
  return {
    skill: o.skillName,
    model: o.model,
    harness: o.harness,
    passTag: o.passTag,
    published: o.published,
    dryRun: o.dryRun,
    variantDir: o.variantDir,
    resource: o.uri,
    gaps: list(gaps, SHORT.gaps),
    gapCount: gaps.length,
    guard: { passed: o.guard.passed, violations: list(o.guard.violations, SHORT.violations).map((v) => cut(v)) },
    ...(o.env ? { env: { ...o.env, ...(o.env.failureReason ? { failureReason: full ? o.env.failureReason : tail(o.env.failureReason, SHORT.reason) } : {}) } } : {}),
    parallelGroups: list(o.parallelGroups, SHORT.groups).map((g) => ({ type: g.type, steps: list(g.steps, SHORT.steps).map((s) => cut(s, SHORT.name)) })),
    passes: o.passRuns.map((r) => ({
      number: r.number,
      id: r.id,
      summary: cut(r.summary),
      ...(r.warning ? { warning: cut(r.warning) } : {}),
      ...(r.explanation ? { explanation: r.explanation } : {}),
      costUsd: r.costUsd,
      ...(full ? { tokens: usage(r.tokens), durationMs: r.durationMs } : {}),
    })),
    tokens: usage(o.tokens),
    costUsd: o.costUsd,
    costIncomplete: o.costIncomplete,
    diffStats: o.diffStats,
    ...(full ? { diff: o.diff, files: o.files } : {}),
    ...(o.fileUris?.diff ? { diffResource: o.fileUris.diff } : {}),
    ...(o.fileUris ? { planResource: o.fileUris.plan } : {}),
    fileCount: o.files.length,
    ...(o.profile ? { profile: { from: o.profile.from, ...(full ? { path: o.profile.path } : {}), profiledAt: o.profile.profiledAt, ...(o.profile.note ? { note: cut(o.profile.note) } : {}) } } : {}),
    ...(o.notes.length ? { notes: list(o.notes, SHORT.notes).map((n) => cut(n)) } : {}),
    durationMs: o.durationMs,
  };
}

/** A long text as its start and its end (the end of an error usually says what went wrong). */
function clip(text: string, max: number): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  if (flat.length <= max) return flat;
  const head = Math.floor(max / 3);
  return `${flat.slice(0, head)} … ${flat.slice(flat.length - (max - head - 3))}`;
}

/** The last `max` characters of a script's output, lines folded. */
function tail(text: string, max: number): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length <= max ? flat : `…${flat.slice(flat.length - max + 1)}`;
}

/** Where the diff the result leaves out can be read. */
function diffPointer(out: { diffResource?: string; diffStats: { added: number; removed: number } }): string {
  if (out.diffResource) return ` (diff: ${out.diffResource})`;
  return out.diffStats.added + out.diffStats.removed > 0 ? ' (detail "full" shows the diff)' : '';
}

function usage(t: { input: number; output: number; cacheRead: number; cacheWrite: number }) {
  return { input: t.input + t.cacheRead + t.cacheWrite, output: t.output };
}

const RED = '\x1b[31m';
const GREEN = '\x1b[32m';
const CYAN = '\x1b[36m';
const BOLD = '\x1b[1m';
const RESET = '\x1b[0m';

/** A unified diff as a terminal shows it: file headers bold, hunk headers cyan, removals red, additions green. */
export function colorDiff(patch: string, style?: TextStyle): string {
  if (!style?.color) return patch;
  let inHunks = false;
  return patch
    .split('\n')
    .map((line) => {
      if (line.startsWith('@@')) {
        inHunks = true;
        return `${CYAN}${line}${RESET}`;
      }
      // Before the first hunk only file headers; inside hunks "--- x" is a removed line "-- x".
      if (!inHunks) return `${BOLD}${line}${RESET}`;
      if (line.startsWith('+')) return `${GREEN}${line}${RESET}`;
      if (line.startsWith('-')) return `${RED}${line}${RESET}`;
      return line;
    })
    .join('\n');
}
