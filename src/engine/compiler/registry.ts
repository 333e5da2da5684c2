import { UsageError } from '../util/errors.js';
import type { ArtifactKey, CompilerPass, PassContext, PassOutput } from './types.js';

/**
 * The pass registry: the single source of truth for pass ids, numbers and data flow (spec §4.3).
 * Pass code loads on first run so listing passes stays cheap.
 */

type PassModule = { run(ctx: PassContext): Promise<PassOutput> };

function lazy(load: () => Promise<PassModule>): CompilerPass['run'] {
  return async (ctx) => (await load()).run(ctx);
}

export const ALL_PASSES: readonly CompilerPass[] = Object.freeze([
  {
    id: 'rewrite-skill',
    number: 1,
    description: "rewrite SKILL.md to compensate for the target model's capability gaps",
    consumes: [],
    produces: ['scr', 'gaps'],
    requiresTcp: true,
    patch: 'rewrite',
    run: lazy(() => import('./passes/rewrite-skill/index.js')),
  },
  {
    id: 'bind-env',
    number: 2,
    description: 'detect dependencies and generate an idempotent env-setup script',
    consumes: [],
    produces: ['deps', 'envScript', 'envSimulation'],
    requiresTcp: false,
    patch: 'none',
    run: lazy(() => import('./passes/bind-env/index.js')),
  },
  {
    id: 'extract-parallelism',
    number: 3,
    description: 'detect and classify DLP/ILP/TLP parallelism',
    consumes: [],
    produces: ['dag'],
    requiresTcp: false,
    patch: 'append',
    run: lazy(() => import('./passes/extract-parallelism/index.js')),
  },
] satisfies CompilerPass[]);

/** Every violation of the registry's invariants (empty when sound). */
export function registryProblems(passes: readonly CompilerPass[]): string[] {
  const problems: string[] = [];
  const ids = new Set<string>();
  const numbers = new Set<number>();
  for (const p of passes) {
    if (!Number.isInteger(p.number) || p.number < 1) problems.push(`pass "${p.id}": number ${p.number} is not a positive integer`);
    if (!/^[a-z][a-z0-9-]*$/.test(p.id)) problems.push(`pass "${p.id}": id is not kebab-case`);
    if (ids.has(p.id)) problems.push(`pass id "${p.id}" is used twice`);
    if (numbers.has(p.number)) problems.push(`pass number ${p.number} is used twice`);
    ids.add(p.id);
    numbers.add(p.number);
  }
  return problems;
}

{
  const problems = registryProblems(ALL_PASSES);
  if (problems.length) throw new Error(`Invalid compiler pass registry:\n${problems.join('\n')}`);
}

const byNumber = (a: CompilerPass, b: CompilerPass) => a.number - b.number;

/** All passes in number order (the default selection). */
export function defaultPasses(passes: readonly CompilerPass[] = ALL_PASSES): CompilerPass[] {
  return [...passes].sort(byNumber);
}

/**
 * Passes named by tokens — numbers ("2") or ids ("bind-env") — deduplicated, in number order.
 * An empty selection is an error, not "all": the caller states its default explicitly.
 */
export function resolvePassTokens(tokens: readonly (string | number)[], passes: readonly CompilerPass[] = ALL_PASSES): CompilerPass[] {
  const picked = new Map<string, CompilerPass>();
  for (const raw of tokens) {
    const token = String(raw).trim();
    if (!token) continue;
    const found = (/^\d+$/.test(token) ? passes.find((p) => p.number === Number(token)) : undefined) ?? passes.find((p) => p.id === token);
    if (!found) {
      throw new UsageError(`Unknown compiler pass "${token}".`, `Passes: ${passes.map((p) => `${p.number} (${p.id})`).join(', ')}. compile_passes lists them.`);
    }
    picked.set(found.id, found);
  }
  if (picked.size === 0) throw new UsageError('No compiler pass selected.', `Name passes by number or id, e.g. ["1", "bind-env"].`);
  return [...picked.values()].sort(byNumber);
}

/**
 * Run order: each pass after the producers of what it consumes; otherwise by number.
 * The last registered producer of a key wins, as in the reference.
 */
export function topoSort(selected: readonly CompilerPass[]): CompilerPass[] {
  const producer = new Map<ArtifactKey, CompilerPass>();
  for (const p of [...selected].sort(byNumber)) for (const key of p.produces) producer.set(key, p);
  const order: CompilerPass[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (p: CompilerPass): void => {
    const s = state.get(p.id);
    if (s === 'done') return;
    if (s === 'visiting') throw new Error(`Cyclic pass dependency detected at ${p.id}`);
    state.set(p.id, 'visiting');
    for (const key of p.consumes) {
      const dep = producer.get(key);
      if (dep && dep.id !== p.id) visit(dep);
    }
    state.set(p.id, 'done');
    order.push(p);
  };
  for (const p of [...selected].sort(byNumber)) visit(p);
  return order;
}

/** One message per consumed key that neither a selected pass produces nor the cache holds. */
export function dependencyProblems(selected: readonly CompilerPass[], cachedKeys: ReadonlySet<ArtifactKey>): string[] {
  const produced = new Set(selected.flatMap((p) => p.produces));
  const problems: string[] = [];
  for (const p of selected) {
    for (const key of p.consumes) {
      if (!produced.has(key) && !cachedKeys.has(key)) problems.push(`pass "${p.id}" needs artifact "${key}", which no selected pass produces`);
    }
  }
  return problems;
}

/** The registry as rows, for compile_passes. */
export function passRows(passes: readonly CompilerPass[] = ALL_PASSES) {
  return defaultPasses(passes).map((p) => ({
    number: p.number,
    id: p.id,
    description: p.description,
    requiresProfile: p.requiresTcp,
    consumes: [...p.consumes],
    produces: [...p.produces],
    changesSkill: p.patch,
  }));
}
