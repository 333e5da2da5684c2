import type { ParallelismAnnotation, WorkflowDAG, WorkflowStep } from '../../types.js';
import type { ParallelGroup, ParallelPlan } from './plan.js';

/**
 * From the model's plan to the DAG we keep (spec §4.9): clean the steps, drop what does not hold
 * together, and keep only the groups that can really run side by side. Pure and deterministic.
 */

export type ParallelismType = ParallelismAnnotation['type'];

export const DEFAULT_MECHANISM: Record<ParallelismType, string> = {
  dlp: 'inline_parallel_primitive',
  ilp: 'batched_tool_use',
  tlp: 'sub_agent',
};
export const FALLBACK = 'sequential_execution';

export interface NormalizedPlan {
  dag: WorkflowDAG;
  /** What was dropped and why, in order (for logs and an empty result's summary). */
  notes: string[];
  /** The dependency cycle found in the steps (first id repeated at the end), when there is one. */
  cycle?: string[];
}

const empty = (notes: string[], cycle?: string[]): NormalizedPlan => ({ dag: { steps: [], parallelism: [] }, notes, ...(cycle ? { cycle } : {}) });

export function normalizePlan(plan: ParallelPlan): NormalizedPlan {
  if (!plan.hasParallelism) return empty([]);
  const notes: string[] = [];

  const steps = cleanSteps(plan.steps, notes);
  if (steps.length < 2) return empty([...notes, `only ${steps.length} usable step${steps.length === 1 ? '' : 's'}`]);
  const cycle = findCycle(steps);
  if (cycle) return empty([...notes, `dependency cycle ${cycle.join(' → ')}`], cycle);

  const parallelism: ParallelismAnnotation[] = [];
  plan.parallelGroups.forEach((g, i) => {
    const annotation = toAnnotation(g, steps);
    const label = `group ${i + 1} (${g.type})`;
    if (!annotation) notes.push(`${label} dropped: too few known steps`);
    else if (!isViable(annotation, steps)) notes.push(`${label} dropped: its steps neither share their inputs nor feed a common step`);
    else parallelism.push(annotation);
  });
  if (parallelism.length === 0) return empty(notes.length ? notes : ['no groups']);
  return { dag: { steps, parallelism }, notes };
}

/** Trimmed, unique, non-empty ids (first wins); dependencies only on other known steps. */
export function cleanSteps(raw: readonly WorkflowStep[], notes: string[] = []): WorkflowStep[] {
  const seen = new Set<string>();
  const kept: WorkflowStep[] = [];
  for (const s of raw) {
    const id = s.id.trim();
    if (!id) {
      notes.push('step without an id dropped');
      continue;
    }
    if (seen.has(id)) {
      notes.push(`duplicate step "${id}" dropped`);
      continue;
    }
    seen.add(id);
    kept.push({ id, description: s.description.trim(), primitives: uniqueTrimmed(s.primitives), dependsOn: uniqueTrimmed(s.dependsOn) });
  }
  for (const s of kept) {
    const deps = s.dependsOn.filter((d) => d !== s.id && seen.has(d));
    if (deps.length !== s.dependsOn.length) notes.push(`step "${s.id}": unknown or self dependencies dropped`);
    s.dependsOn = deps;
  }
  return kept;
}

function uniqueTrimmed(xs: readonly string[]): string[] {
  return [...new Set(xs.map((x) => x.trim()).filter((x) => x.length > 0))];
}

/** A cycle in dependsOn as a path (`a → b → a`), or undefined. Steps are visited in order. */
export function findCycle(steps: readonly WorkflowStep[]): string[] | undefined {
  const deps = new Map(steps.map((s) => [s.id, s.dependsOn]));
  const state = new Map<string, 'active' | 'done'>();
  const path: string[] = [];
  const visit = (id: string): string[] | undefined => {
    if (state.get(id) === 'done') return undefined;
    if (state.get(id) === 'active') return [...path.slice(path.indexOf(id)), id];
    state.set(id, 'active');
    path.push(id);
    for (const d of deps.get(id) ?? []) {
      const found = visit(d);
      if (found) return found;
    }
    path.pop();
    state.set(id, 'done');
    return undefined;
  };
  for (const s of steps) {
    const found = visit(s.id);
    if (found) return found;
  }
  return undefined;
}

/** The group as an annotation, or undefined when too few of its steps are known. */
export function toAnnotation(g: ParallelGroup, steps: readonly WorkflowStep[]): ParallelismAnnotation | undefined {
  const known = new Set(steps.map((s) => s.id));
  const members = [...new Set(g.stepIds.map((id) => id.trim()))].filter((id) => known.has(id));
  if (members.length < (g.type === 'dlp' ? 1 : 2)) return undefined;
  const reason = g.reason.trim();
  const mechanism = (g.mechanism.trim() || DEFAULT_MECHANISM[g.type]) + (reason ? `: ${reason}` : '');
  return { type: g.type, steps: members, mechanism, fallback: FALLBACK };
}

/**
 * DLP is always viable (the parallelism is inside one step). ILP/TLP members must either start
 * from the same inputs (identical dependsOn sets) or be merged by a common downstream step
 * (some step depends on at least two of them).
 */
export function isViable(a: ParallelismAnnotation, steps: readonly WorkflowStep[]): boolean {
  if (a.type === 'dlp') return true;
  const byId = new Map(steps.map((s) => [s.id, s]));
  const entryKey = (id: string) => JSON.stringify([...byId.get(id)!.dependsOn].sort());
  const first = entryKey(a.steps[0]!);
  if (a.steps.every((id) => entryKey(id) === first)) return true;
  const members = new Set(a.steps);
  return steps.some((s) => s.dependsOn.filter((d) => members.has(d)).length >= 2);
}
