import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import { z } from 'zod';
import { readDirents, readJsonWith } from '../profiles/io.js';
import { checkHarnessName, isSafeDirName, modelFilter, toModelDirName } from '../profiles/names.js';
import { describeIssues } from '../profiles/schema.js';
import { lstatOrNull } from '../util/fs.js';
import { readConfinedText } from '../sandbox/index.js';
import { SKILL_FILE, loadSkill } from '../skills/load.js';
import type { Skill } from '../skills/types.js';
import { walkContained, type WalkedFile } from '../skills/walk.js';
import { closestMatches } from '../util/closest.js';
import { NotFoundError, UsageError } from '../util/errors.js';
import { ARTIFACT_DIR, readArtifacts } from './artifacts.js';
import { fromPassTag, isPassTag } from './pass-tag.js';
import { isPublishEntry } from './publish.js';
import { aotCompileRoot, checkSkillName, variantUri, type VariantKey } from './paths.js';
import type { ArtifactBag } from './types.js';

/**
 * Reading published variants (spec profiler-compiler §4.5):
 *   <proposals>/aot-compile/<harness>/<safeModel>/<skill>/<passTag>/
 * plus the reference's legacy flat layout, where `<skill>/` holds SKILL.md itself and stands
 * for p1p2p3. Everything on disk is untrusted: a corrupt meta.json or plan is reported in
 * `problems`, never thrown; the tree walk never follows a symlink, and file reads stay inside
 * the variant (walkContained + openForRead).
 */

export const META_FILE = 'meta.json';
export const PLAN_FILE = 'compilation-plan.json';
/** The passes a legacy flat variant stands for. */
export const LEGACY_PASS_TAG = 'p1p2p3';
/** Largest file served by readVariantFile. */
export const MAX_VARIANT_FILE_BYTES = 256 * 1024;
/** Files listed per variant (a bundle may be large; the rest is counted). */
const MAX_LISTED_FILES = 2000;

const MetaSchema = z.object({
  compiledAt: z.string(),
  model: z.string(),
  harness: z.string(),
  passes: z.array(z.number().int().positive()),
  passTag: z.string(),
  guardPassed: z.boolean(),
  costUsd: z.number().optional(),
  costIncomplete: z.boolean().optional(),
  durationMs: z.number().optional(),
});
export type VariantMeta = z.output<typeof MetaSchema>;

const Tokens = z.object({ input: z.number(), output: z.number(), cacheRead: z.number().optional(), cacheWrite: z.number().optional() });
const PlanSchema = z.object({
  skillName: z.string().optional(),
  compiledAt: z.string().optional(),
  guardPassed: z.boolean().optional(),
  guardViolations: z.array(z.string()).default([]),
  passRuns: z
    .array(
      z.object({
        passId: z.string(),
        status: z.string(),
        durationMs: z.number().optional(),
        costUsd: z.number().optional(),
        tokens: Tokens.optional(),
        iterations: z.number().optional(),
        error: z.string().optional(),
      }),
    )
    .default([]),
  artifacts: z.record(z.string(), z.unknown()).default({}),
});

/** What compilation-plan.json says, without the artifacts themselves (they are read from `_artifacts/`). */
export interface PlanSummary {
  skillName?: string;
  compiledAt?: string;
  guardPassed?: boolean;
  guardViolations: string[];
  passRuns: z.output<typeof PlanSchema>['passRuns'];
  artifactKeys: string[];
}

/** Where a variant is. `model` is the model's directory name. */
export interface VariantRef {
  harness: string;
  model: string;
  skill: string;
  passTag: string;
  dir: string;
  /** The reference's flat layout: `<skill>/` itself is the variant (p1p2p3). */
  legacy: boolean;
  uri: string;
}

export interface VariantSummary extends VariantRef {
  passes: number[];
  compiledAt: string | null;
  guardPassed: boolean | null;
  costUsd: number | null;
  meta: VariantMeta | null;
  /** Files that could not be used (missing, not JSON, wrong shape). */
  problems: string[];
}

export interface VariantFilter {
  harness?: string;
  /** Case-insensitive substring of the model id or of its directory name. */
  model?: string;
  skill?: string;
}

/** Sub-folders usable as path segments; symlinks are never followed, dot-folders never listed. */
async function subDirs(dir: string): Promise<string[]> {
  return (await readDirents(dir)).filter((e) => e.isDirectory() && isSafeDirName(e.name)).map((e) => e.name).sort();
}

function ref(root: string, harness: string, model: string, skill: string, passTag: string, legacy: boolean): VariantRef {
  const skillDir = path.join(aotCompileRoot(root), harness, model, skill);
  return {
    harness,
    model,
    skill,
    passTag,
    dir: legacy ? skillDir : path.join(skillDir, passTag),
    legacy,
    uri: variantUri({ harness, model, skillName: skill, passTag }),
  };
}

/** The variants of one skill folder: one per pass-tag folder, and the legacy flat one unless a p1p2p3 folder shadows it. */
async function variantsOfSkill(root: string, harness: string, model: string, skill: string): Promise<VariantRef[]> {
  const entries = await readDirents(path.join(aotCompileRoot(root), harness, model, skill));
  const tags = entries.filter((e) => e.isDirectory() && isPassTag(e.name)).map((e) => e.name);
  const out = tags.sort().map((t) => ref(root, harness, model, skill, t, false));
  const flat = entries.some((e) => e.isFile() && e.name === SKILL_FILE);
  if (flat && !tags.includes(LEGACY_PASS_TAG)) out.push(ref(root, harness, model, skill, LEGACY_PASS_TAG, true));
  return out;
}

/** Every variant matching the filter (unsorted, meta not read). */
export async function listVariantRefs(proposalsRoot: string, filter: VariantFilter = {}): Promise<VariantRef[]> {
  const base = aotCompileRoot(proposalsRoot);
  const byModel = filter.model === undefined ? undefined : modelFilter(filter.model);
  const out: VariantRef[] = [];
  for (const harness of await subDirs(base)) {
    if (filter.harness !== undefined && harness !== filter.harness) continue;
    for (const model of await subDirs(path.join(base, harness))) {
      if (byModel && !byModel.dirMatches(model)) continue;
      for (const skill of await subDirs(path.join(base, harness, model))) {
        if (filter.skill !== undefined && skill !== filter.skill) continue;
        out.push(...(await variantsOfSkill(proposalsRoot, harness, model, skill)));
      }
    }
  }
  return out;
}

/** Parse one JSON file of a variant: the value, or why it is unusable (absent files are `missing`; symlinks are not followed). */
async function readJson<T>(file: string, schema: z.ZodType<T>): Promise<{ value?: T; problem?: string; missing?: boolean }> {
  const name = path.basename(file);
  if ((await lstatOrNull(file))?.isSymbolicLink()) return { problem: `${name}: a symlink; not read` };
  const r = await readJsonWith(file, (raw) => {
    const parsed = schema.safeParse(raw);
    return parsed.success ? { ok: true, value: parsed.data, text: '' } : { ok: false, reason: `unexpected shape (${describeIssues(parsed.error)})` };
  });
  if (r === undefined) return { missing: true };
  return r.ok ? { value: r.value } : { problem: `${name}: ${r.reason}` };
}

export async function summarizeVariant(r: VariantRef): Promise<VariantSummary> {
  const problems: string[] = [];
  const meta = await readJson(path.join(r.dir, META_FILE), MetaSchema);
  if (meta.missing) problems.push(`${META_FILE}: missing`);
  else if (meta.problem) problems.push(meta.problem);
  const m = meta.value ?? null;
  if (m && !r.legacy && m.passTag !== r.passTag) problems.push(`${META_FILE}: passTag "${m.passTag}" does not match the folder "${r.passTag}"`);
  return {
    ...r,
    passes: fromPassTag(r.passTag),
    compiledAt: m?.compiledAt ?? null,
    guardPassed: m?.guardPassed ?? null,
    costUsd: m?.costUsd ?? null,
    meta: m,
    problems,
  };
}

function compiledTime(v: VariantSummary): number {
  const t = v.compiledAt === null ? NaN : Date.parse(v.compiledAt);
  return Number.isNaN(t) ? -Infinity : t;
}

/** Variants matching the filter, newest first by meta.compiledAt (those without a date last, by path). */
export async function listVariants(proposalsRoot: string, filter: VariantFilter = {}): Promise<VariantSummary[]> {
  const out: VariantSummary[] = [];
  for (const r of await listVariantRefs(proposalsRoot, filter)) out.push(await summarizeVariant(r));
  return out.sort((a, b) => compiledTime(b) - compiledTime(a) || (a.dir < b.dir ? -1 : a.dir > b.dir ? 1 : 0));
}

/**
 * The variant a key names, or undefined when there is none. Names are validated (UsageError).
 * `p1p2p3` falls back to the legacy flat layout.
 */
export async function findVariant(proposalsRoot: string, key: VariantKey): Promise<VariantRef | undefined> {
  const harness = checkHarnessName(key.harness);
  const model = toModelDirName(key.model);
  const skill = checkSkillName(key.skillName);
  if (!isPassTag(key.passTag)) throw new UsageError(`"${key.passTag}" is not a pass tag.`, 'Pass tags look like p1, p1p2p3.');
  const variants = await variantsOfSkill(proposalsRoot, harness, model, skill);
  return variants.find((v) => v.passTag === key.passTag);
}

/** Like findVariant, but an unknown variant is a NotFoundError naming the closest existing ones. */
export async function requireVariant(proposalsRoot: string, key: VariantKey): Promise<VariantRef> {
  const found = await findVariant(proposalsRoot, key);
  if (found) return found;
  const wanted = `${key.harness}/${toModelDirName(key.model)}/${key.skillName}/${key.passTag}`;
  const known = (await listVariantRefs(proposalsRoot)).map((v) => `${v.harness}/${v.model}/${v.skill}/${v.passTag}`);
  throw new NotFoundError('variant', wanted, closestMatches(wanted, known), 'variants_list shows the compiled variants; compile makes one.');
}

/**
 * Files of a variant, confined to it. A legacy variant's folder also holds the pass-tag
 * folders and staging leftovers of newer compiles, which are not part of it.
 */
export async function variantFiles(r: VariantRef, maxFiles = MAX_LISTED_FILES): Promise<{ files: WalkedFile[]; notes: string[] }> {
  return walkContained(r.dir, {
    maxFiles,
    skip: r.legacy ? (rel, name) => rel === name && (isPassTag(name) || isPublishEntry(name)) : undefined,
  });
}

export interface VariantDetails {
  summary: VariantSummary;
  plan: PlanSummary | null;
  artifacts: Partial<ArtifactBag>;
  files: Array<{ path: string; bytes: number }>;
  /** More files exist than were listed. */
  filesTruncated: boolean;
  /** Skipped symlinks and the like. */
  notes: string[];
}

/** Everything about one variant: meta, plan summary, validated artifacts, file list. */
export async function readVariant(proposalsRoot: string, key: VariantKey): Promise<VariantDetails> {
  const summary = await summarizeVariant(await requireVariant(proposalsRoot, key));
  const planRead = await readJson(path.join(summary.dir, PLAN_FILE), PlanSchema);
  if (planRead.missing) summary.problems.push(`${PLAN_FILE}: missing`);
  else if (planRead.problem) summary.problems.push(planRead.problem);
  const { artifacts, invalid } = await readArtifacts(summary.dir);
  for (const f of invalid) summary.problems.push(`${ARTIFACT_DIR}/${f}: unexpected shape or not JSON`);
  const walked = await variantFiles(summary);
  const files = await Promise.all(walked.files.map(async (f) => ({ path: f.rel, bytes: (await fsp.stat(f.source).catch(() => null))?.size ?? 0 })));
  const p = planRead.value;
  return {
    summary,
    plan: p
      ? {
          ...(p.skillName !== undefined ? { skillName: p.skillName } : {}),
          ...(p.compiledAt !== undefined ? { compiledAt: p.compiledAt } : {}),
          ...(p.guardPassed !== undefined ? { guardPassed: p.guardPassed } : {}),
          guardViolations: p.guardViolations,
          passRuns: p.passRuns,
          artifactKeys: Object.keys(p.artifacts),
        }
      : null,
    artifacts,
    files,
    filesTruncated: walked.notes.some((n) => n.startsWith('stopped listing')),
    notes: walked.notes,
  };
}

/** Reject what cannot name a file inside a folder, before touching the disk. */
function checkRelPath(rel: string): string {
  const clean = rel.replace(/\\/g, '/');
  if (!clean || clean.includes('\0') || clean.startsWith('/') || clean.split('/').some((s) => s === '..' || s === '')) {
    throw new UsageError(`"${rel}" is not a file path inside the variant.`, 'Use a path relative to the variant folder, such as SKILL.md or _artifacts/gaps.json.');
  }
  return clean;
}

/** A text file of a variant (size-capped; binary files refused), confined to the variant folder. */
export async function readVariantFile(proposalsRoot: string, key: VariantKey, rel: string, maxBytes = MAX_VARIANT_FILE_BYTES): Promise<{ path: string; text: string; bytes: number }> {
  const wanted = checkRelPath(rel);
  const r = await requireVariant(proposalsRoot, key);
  const { files } = await variantFiles(r, Number.MAX_SAFE_INTEGER);
  const file = files.find((f) => f.rel === wanted);
  if (!file) throw new NotFoundError(`file of variant ${r.uri}`, wanted, closestMatches(wanted, files.map((f) => f.rel)), 'The variant resource lists its files.');
  const realRoot = await fsp.realpath(r.dir);
  const { text, bytes } = await readConfinedText(realRoot, path.relative(realRoot, file.source), maxBytes, wanted, r.uri);
  return { path: wanted, text, bytes };
}

/**
 * Files of a variant that are compiler output, not skill material: never staged into a task's
 * work dir. The reference's list (spec §4.5) plus `_profiling/` (the profiler's conversation
 * logs used as evidence) and bind-env's leftover attempt scripts.
 */
export function isCompilerFile(rel: string): boolean {
  const top = rel.split('/')[0]!;
  return (
    rel === SKILL_FILE ||
    rel === PLAN_FILE ||
    rel === META_FILE ||
    rel === 'env-setup.sh' ||
    rel === 'jit-candidates.json' ||
    top === ARTIFACT_DIR ||
    top === '_profiling' ||
    /^\.skvm-env-setup-attempt-/.test(top)
  );
}

/** The compiled skill of a variant: its SKILL.md, with only skill material as bundle files. */
export async function loadVariantSkill(r: VariantRef): Promise<Skill> {
  const skill = await loadSkill(r.dir);
  const inVariant = new Set((await variantFiles(r, Number.MAX_SAFE_INTEGER)).files.map((f) => f.rel));
  return { ...skill, files: skill.files.filter((f) => inVariant.has(f) && !isCompilerFile(f)) };
}
