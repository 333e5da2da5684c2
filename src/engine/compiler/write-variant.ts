import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import type { TokenUsage } from '../llm/types.js';
import { SKILL_FILE } from '../skills/load.js';
import { ARTIFACT_DIR } from './artifacts.js';
import type { GuardVerdict } from './guard.js';
import type { ArtifactBag, PassRunMeta, WorkflowDAG } from './types.js';

/**
 * The files that make a directory a variant (spec §4.5, MUST compat), written into the staging
 * copy: SKILL.md, compilation-plan.json, meta.json, env-setup.sh when bind-env produced a
 * script, workflow-dag.md when pass 3 found at least one step and one parallel group. Beyond the
 * reference, meta.json carries the compiler model, tokens and a real cost (`costIncomplete`
 * when some call's price was unknown), and `_artifacts/SKILL.md.diff` keeps the unified diff of
 * SKILL.md when it changed, so the compile result can point at it instead of carrying it.
 */

export const PLAN_FILE = 'compilation-plan.json';
export const META_FILE = 'meta.json';
export const ENV_SCRIPT_FILE = 'env-setup.sh';
export const DAG_FILE = 'workflow-dag.md';
/**
 * Under `_artifacts/`: the bench (ours and the reference's) never stages that folder into a task,
 * a later compile never copies it from a skill, and the reference's loaders read only its `*.json`
 * and `_meta/*.json` — a top-level `_meta/` would be copied into every task's work dir.
 */
export const DIFF_FILE = `${ARTIFACT_DIR}/SKILL.md.diff`;

export interface VariantContent {
  skillName: string;
  model: string;
  harness: string;
  compilerModel: string;
  compiledAt: string;
  /** Pass numbers in run order. */
  passes: number[];
  passTag: string;
  compiledSkill: string;
  /** Unified diff of SKILL.md, original → compiled ('' when unchanged: no diff file). */
  skillDiff: string;
  artifacts: Partial<ArtifactBag>;
  passRuns: PassRunMeta[];
  guard: GuardVerdict;
  tokens: TokenUsage;
  costUsd: number;
  costIncomplete: boolean;
  durationMs: number;
}

/** `compilation-plan.json` (reference field set). */
export function compilationPlan(v: VariantContent) {
  return {
    skillName: v.skillName,
    model: v.model,
    harness: v.harness,
    compiledAt: v.compiledAt,
    artifacts: v.artifacts,
    passRuns: v.passRuns,
    guardPassed: v.guard.passed,
    guardViolations: v.guard.violations,
  };
}

/** `meta.json`: the reference's fields, then ours. */
export function variantMeta(v: VariantContent) {
  return {
    compiledAt: v.compiledAt,
    model: v.model,
    harness: v.harness,
    passes: v.passes,
    passTag: v.passTag,
    costUsd: v.costUsd,
    ...(v.costIncomplete ? { costIncomplete: true } : {}),
    durationMs: v.durationMs,
    guardPassed: v.guard.passed,
    compilerModel: v.compilerModel,
    tokens: v.tokens,
  };
}

/** Writes the variant files into `dir`; returns their relative paths. */
export async function writeVariant(dir: string, v: VariantContent): Promise<string[]> {
  const files: Array<[string, string]> = [
    [SKILL_FILE, v.compiledSkill],
    [PLAN_FILE, JSON.stringify(compilationPlan(v), null, 2)],
    [META_FILE, JSON.stringify(variantMeta(v), null, 2)],
  ];
  if (v.artifacts.envScript !== undefined) files.push([ENV_SCRIPT_FILE, v.artifacts.envScript]);
  if (v.skillDiff) {
    await fsp.mkdir(path.join(dir, ARTIFACT_DIR), { recursive: true });
    files.push([DIFF_FILE, v.skillDiff]);
  }
  const dag = v.artifacts.dag && (await renderDag(v.artifacts.dag));
  if (dag) files.push([DAG_FILE, dag]);
  await Promise.all(files.map(([rel, text]) => fsp.writeFile(path.join(dir, rel), text)));
  return files.map(([rel]) => rel);
}

/** Pass 3's renderer, loaded only when there is a DAG (pass code loads on first use, as in the registry). */
async function renderDag(dag: WorkflowDAG): Promise<string | undefined> {
  if (dag.steps.length === 0 || dag.parallelism.length === 0) return undefined;
  const { renderWorkflowDag } = await import('./passes/extract-parallelism/render.js');
  return renderWorkflowDag(dag);
}
