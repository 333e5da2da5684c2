import type { SimApi } from './policy.js';

export interface SimStats {
  /** Requests that reached the policy (each one got a seq). */
  requests: number;
  byApi: Record<SimApi, number>;
  /** By SimFault type, plus `policy_error` when a policy threw. */
  faults: Record<string, number>;
  inFlight: number;
  maxInFlight: number;
  /** Message replies sent as server-sent events. */
  streamed: number;
}

export class StatsTracker {
  #s: SimStats = StatsTracker.#zero(0);

  static #zero(inFlight: number): SimStats {
    return { requests: 0, byApi: { openai: 0, anthropic: 0, 'openai-responses': 0 }, faults: {}, inFlight, maxInFlight: inFlight, streamed: 0 };
  }

  begin(api: SimApi): void {
    this.#s.requests++;
    this.#s.byApi[api]++;
    this.#s.inFlight++;
    this.#s.maxInFlight = Math.max(this.#s.maxInFlight, this.#s.inFlight);
  }

  end(): void {
    this.#s.inFlight = Math.max(0, this.#s.inFlight - 1);
  }

  fault(type: string): void {
    this.#s.faults[type] = (this.#s.faults[type] ?? 0) + 1;
  }

  streamed(): void {
    this.#s.streamed++;
  }

  snapshot(): SimStats {
    return { ...this.#s, byApi: { ...this.#s.byApi }, faults: { ...this.#s.faults } };
  }

  /** Requests still open keep counting as in flight, so the gauge never goes negative. */
  reset(): void {
    this.#s = StatsTracker.#zero(this.#s.inFlight);
  }
}
