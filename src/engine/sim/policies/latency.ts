import { sleep } from '../../util/abort.js';
import type { SimPolicy } from '../policy.js';
import { createRng } from '../../util/rng.js';

export type LatencySpec = { fixedMs: number } | { minMs: number; maxMs: number } | { meanMs: number; jitterMs: number };

/** A delay drawn per request, as a function of a uniform draw u in [0,1). */
export function latencySampler(spec: LatencySpec): (u: number) => number {
  if ('fixedMs' in spec) return () => Math.max(0, spec.fixedMs);
  if ('minMs' in spec) {
    const lo = Math.min(spec.minMs, spec.maxMs);
    const hi = Math.max(spec.minMs, spec.maxMs);
    return (u) => Math.max(0, lo + u * (hi - lo));
  }
  return (u) => Math.max(0, spec.meanMs + (2 * u - 1) * spec.jitterMs);
}

/**
 * Delays each reply so it leaves the drawn delay after the request reached the server: reading
 * and parsing the body and the wrapped policy's own work count toward it, as they would inside a
 * vendor's latency (timing from the policy's return added 1-5 ms per call under load). The delay
 * ends early (and the request with it) if the client leaves.
 */
export function withLatency(policy: SimPolicy, spec: LatencySpec, seed = 1): SimPolicy {
  const rng = createRng(seed);
  const sample = latencySampler(spec);
  return {
    name: policy.name,
    async respond(req, ctx) {
      // Draw before delegating so the delay sequence depends only on the seed and request order.
      const delay = sample(rng.next());
      const start = req.receivedAt ?? performance.now();
      const reply = await policy.respond(req, ctx);
      const left = delay - (performance.now() - start);
      if (left > 0) await sleep(left, ctx.signal);
      return reply;
    },
  };
}
