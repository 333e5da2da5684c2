import { allPrimitives, type Level } from '../primitives/catalog.js';
import type { TCP } from '../profiles/schema.js';
import { profileUri, toModelDirName } from '../profiles/store.js';
import { describeError } from '../util/errors.js';
import type { ProfileManyResult } from './session-types.js';

/** The compact result the profile operation returns; the whole TCP stays behind its resource. */
export function summarizeProfileRun(result: ProfileManyResult) {
  return {
    jobs: result.jobs.map((j) => {
      if (!j.ok) return { model: j.model, harness: j.harness, ok: false, error: describeError(j.error) };
      const r = j.result;
      const tcp = r.tcp;
      const capabilities = capabilityTable(tcp);
      const levelCounts: Record<Level, number> = { L0: 0, L1: 0, L2: 0, L3: 0 };
      for (const c of capabilities) levelCounts[c.level]++;
      return {
        model: r.model,
        harness: r.harness,
        ok: true,
        cached: r.cached,
        resumed: r.resumed,
        capabilities,
        levelCounts,
        skips: skipsOf(tcp),
        stats: {
          probeRuns: r.stats.probeRuns,
          passed: r.stats.passed,
          failed: r.stats.failed,
          skipped: r.stats.skipped,
          infraRetries: r.stats.infraRetries,
          reruns: r.stats.reruns,
          llmCalls: r.stats.llmCalls,
          retriedCalls: r.stats.retriedCalls,
        },
        tokens: { input: tcp.cost.totalTokens.input + tcp.cost.totalTokens.cacheRead + tcp.cost.totalTokens.cacheWrite, output: tcp.cost.totalTokens.output },
        costUsd: tcp.cost.totalUsd,
        durationMs: tcp.cost.durationMs,
        seed: r.profileSeed,
        resource: profileUri(r.harness, toModelDirName(r.model)),
      };
    }),
  };
}

/** Primitive → level and passes per level, in catalog order (primitives the TCP lacks are left out). */
export function capabilityTable(tcp: TCP): Array<{ primitive: string; level: Level; passes: string }> {
  const details = new Map(tcp.details.map((d) => [d.primitiveId, d]));
  const ids = [...allPrimitives().map((p) => p.id), ...Object.keys(tcp.capabilities).filter((id) => !allPrimitives().some((p) => p.id === id))];
  return ids
    .filter((id) => tcp.capabilities[id] !== undefined)
    .map((id) => ({
      primitive: id,
      level: tcp.capabilities[id]!,
      passes: (details.get(id)?.levelResults ?? [])
        .map((l) => `${l.level} ${l.passCount}/${l.totalCount - (l.skipCount ?? 0)}${l.skipCount ? ` (+${l.skipCount} skipped)` : ''}`)
        .join(' · '),
    }));
}

function skipsOf(tcp: TCP): Array<{ primitive: string; level: string; reason: string }> {
  const out: Array<{ primitive: string; level: string; reason: string }> = [];
  for (const d of tcp.details) {
    for (const l of d.levelResults) {
      const reasons = (l as { skipDetails?: unknown }).skipDetails;
      if (Array.isArray(reasons)) for (const reason of reasons) out.push({ primitive: d.primitiveId, level: l.level, reason: String(reason) });
    }
  }
  return out;
}
