import type { Level } from '../primitives/catalog.js';
import { findProfile, loadFailureReports, loadPartialProfile } from '../profiles/store.js';
import type { FailureReport, PrimitiveProfileDetail, TCP } from '../profiles/schema.js';
import { UsageError, errorMessage } from '../util/errors.js';
import type { Logger } from '../util/log.js';
import { emptyStats, type ProfileModelResult, type ProfileSessionOptions } from './session-types.js';

/**
 * What one (model, harness) job of a session has to do, decided against the profile cache
 * (the cache flow in profile.ts): nothing (a cached complete profile), or the primitives to run
 * with what is kept from an earlier partial or complete profile.
 */

export type Plan =
  | { kind: 'cached'; result: ProfileModelResult }
  | {
      kind: 'run';
      pending: string[];
      kept: PrimitiveProfileDetail[];
      keptCaps: Record<string, Level>;
      keptReports: Record<string, FailureReport[]>;
      seed: number;
      resumed: boolean;
      priorDurationMs: number;
      hadSidecar: boolean;
    };

export async function planJob(
  j: { model: string; harness: string },
  opts: ProfileSessionOptions,
  target: readonly string[],
  explicitPrimitives: boolean,
  sessionSeed: number,
  log: Logger,
): Promise<Plan> {
  const complete = await safely(() => findProfile(opts.profilesDir, j.harness, j.model), log, j);
  const partial = await safely(() => loadPartialProfile(opts.profilesDir, j.harness, j.model), log, j);
  const sidecar = await safely(() => loadFailureReports(opts.profilesDir, j.harness, j.model), log, j);
  const hadSidecar = sidecar !== null && sidecar !== undefined;

  const keep = (base: TCP | undefined, except: ReadonlySet<string>) => {
    const kept = (base?.details ?? []).filter((d) => !except.has(d.primitiveId) && base!.capabilities[d.primitiveId] !== undefined);
    const keptCaps: Record<string, Level> = {};
    for (const d of kept) keptCaps[d.primitiveId] = base!.capabilities[d.primitiveId]!;
    const keptReports: Record<string, FailureReport[]> = {};
    // Reports of kept primitives survive when the sidecar belongs to the profile they come from.
    if (sidecar && base && sidecar.profiledAt === base.profiledAt) {
      const ids = new Set(kept.map((d) => d.primitiveId));
      for (const [k, v] of Object.entries(sidecar.reports)) if (ids.has(k.split('/')[0]!)) keptReports[k] = v;
    }
    return { kept, keptCaps, keptReports };
  };
  const targetSet = new Set(target);
  const seedFrom = (tcp: TCP | undefined) => opts.profileSeed ?? (tcp ? seedOf(tcp) : undefined) ?? sessionSeed;

  if (!opts.force) {
    if (partial) {
      const finished = new Set(partial.details.map((d) => d.primitiveId).filter((id) => partial.capabilities[id] !== undefined));
      const k = keep(partial, new Set());
      return {
        kind: 'run',
        pending: target.filter((id) => !finished.has(id)),
        ...k,
        seed: seedFrom(partial),
        resumed: true,
        priorDurationMs: partial.cost.durationMs,
        hadSidecar,
      };
    }
    if (complete) {
      const missing = target.filter((id) => complete.tcp.capabilities[id] === undefined || !complete.tcp.details.some((d) => d.primitiveId === id));
      if (missing.length === 0 || !explicitPrimitives) {
        if (missing.length > 0) log.info(`${j.model} (${j.harness}): using the cached profile (${complete.file}); it lacks ${missing.join(', ')} — pass primitives (or force) to profile them`);
        return {
          kind: 'cached',
          result: {
            model: j.model,
            harness: j.harness,
            tcp: complete.tcp,
            cached: true,
            resumed: false,
            profiled: [],
            kept: complete.tcp.details.map((d) => d.primitiveId),
            profileSeed: seedOf(complete.tcp) ?? null,
            latestPath: complete.path,
            failureReports: {},
            stats: emptyStats(),
            concurrency: [],
          },
        };
      }
      return { kind: 'run', pending: missing, ...keep(complete.tcp, new Set()), seed: seedFrom(undefined), resumed: false, priorDurationMs: 0, hadSidecar };
    }
    return { kind: 'run', pending: [...target], kept: [], keptCaps: {}, keptReports: {}, seed: seedFrom(undefined), resumed: false, priorDurationMs: 0, hadSidecar };
  }
  if (explicitPrimitives) {
    const base = complete?.tcp ?? partial ?? undefined;
    return { kind: 'run', pending: [...target], ...keep(base, targetSet), seed: seedFrom(undefined), resumed: false, priorDurationMs: 0, hadSidecar };
  }
  return { kind: 'run', pending: [...target], kept: [], keptCaps: {}, keptReports: {}, seed: seedFrom(undefined), resumed: false, priorDurationMs: 0, hadSidecar };
}

/** A cache read that fails (an unreadable file) is logged and treated as absent; bad names still throw. */
async function safely<T>(fn: () => Promise<T>, log: Logger, j: { model: string; harness: string }): Promise<T | undefined> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof UsageError) throw err;
    log.warn(`${j.model} (${j.harness}): ignoring an unreadable cached profile: ${errorMessage(err)}`);
    return undefined;
  }
}

function seedOf(tcp: TCP): number | undefined {
  const top = (tcp as TCP & { profileSeed?: unknown }).profileSeed;
  if (typeof top === 'number' && Number.isInteger(top)) return top;
  for (const d of tcp.details) {
    for (const l of d.levelResults) {
      const s = (l as { seed?: unknown }).seed;
      if (typeof s === 'number' && Number.isInteger(s)) return s;
    }
  }
  return undefined;
}
