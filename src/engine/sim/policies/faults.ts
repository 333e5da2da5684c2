import type { SimFault, SimPolicy } from '../policy.js';
import { createRng } from '../../util/rng.js';

export interface FaultSpec {
  /** Probabilities in [0,1] per request; their sum must not exceed 1. */
  rateLimit?: number;
  serverError?: number;
  malformed?: number;
  hang?: number;
  disconnect?: number;
  /** Sent as retry-after on injected 429s. */
  retryAfterSeconds?: number;
  seed?: number;
  /** At most this many faults in a row, so a client with enough retries always gets through. */
  maxConsecutive?: number;
}

/** Draw order is fixed so a seed always yields the same fault sequence. */
const FAULT_ORDER = ['rateLimit', 'serverError', 'malformed', 'hang', 'disconnect'] as const;

function faultFor(key: (typeof FAULT_ORDER)[number], spec: FaultSpec): SimFault {
  switch (key) {
    case 'rateLimit':
      return spec.retryAfterSeconds !== undefined ? { type: 'rate_limit', retryAfterSeconds: spec.retryAfterSeconds } : { type: 'rate_limit' };
    case 'serverError':
      return { type: 'server_error', status: 500 };
    case 'malformed':
      return { type: 'malformed' };
    case 'hang':
      return { type: 'hang' };
    case 'disconnect':
      return { type: 'disconnect' };
  }
}

export function validateFaultSpec(spec: FaultSpec): void {
  let sum = 0;
  for (const key of FAULT_ORDER) {
    const p = spec[key] ?? 0;
    if (!(p >= 0 && p <= 1)) throw new RangeError(`withFaults: ${key} must be a probability in [0, 1], got ${p}`);
    sum += p;
  }
  if (sum > 1 + 1e-9) throw new RangeError(`withFaults: fault probabilities sum to ${sum}, more than 1`);
  if (spec.maxConsecutive !== undefined && !(Number.isInteger(spec.maxConsecutive) && spec.maxConsecutive >= 0)) {
    throw new RangeError(`withFaults: maxConsecutive must be a non-negative integer, got ${spec.maxConsecutive}`);
  }
}

/** Before delegating, each request independently draws one fault (or none) from the seeded PRNG. */
export function withFaults(policy: SimPolicy, spec: FaultSpec): SimPolicy {
  validateFaultSpec(spec);
  const rng = createRng(spec.seed ?? 1);
  const maxConsecutive = spec.maxConsecutive ?? Infinity;
  let consecutive = 0;
  return {
    name: policy.name,
    respond(req, ctx) {
      // Always draw, even when capped, so the sequence of draws depends only on the seed.
      const u = rng.next();
      let fault: SimFault | undefined;
      if (consecutive < maxConsecutive) {
        let edge = 0;
        for (const key of FAULT_ORDER) {
          edge += spec[key] ?? 0;
          if (u < edge) {
            fault = faultFor(key, spec);
            break;
          }
        }
      }
      if (fault) {
        consecutive++;
        return { kind: 'fault', fault };
      }
      consecutive = 0;
      return policy.respond(req, ctx);
    },
  };
}
