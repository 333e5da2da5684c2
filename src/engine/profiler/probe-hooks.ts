import type { ProbeInstance } from './types.js';

/**
 * Probe observers: code outside the profiler that wants to see every probe instance just
 * before the agent gets it (after `{{BASE_URL}}` substitution) — the simulator's
 * planted-capability target learns its probes this way. Nothing here changes a probe.
 *
 * A profile run takes an observer explicitly (`onProbe`); the `profile` operation uses the ones
 * installed in this process, which only a Node preload does (`--import` of
 * `engine/sim/probe-registry-preload.js`), so production code never reaches the simulator.
 */
export type ProbeObserver = (probe: ProbeInstance) => void | Promise<void>;

const OBSERVERS = Symbol.for('skvm-mcp.probeObservers');

// Kept on globalThis: the preload loads this module from dist/src while the bins are bundles with
// their own copy of it, and both must see one list.
const installed: ProbeObserver[] = ((globalThis as { [OBSERVERS]?: ProbeObserver[] })[OBSERVERS] ??= []);

export function installProbeObserver(observer: ProbeObserver): void {
  installed.push(observer);
}

/** The observers installed in this process as one, or undefined when there are none. */
export function installedProbeObserver(): ProbeObserver | undefined {
  if (installed.length === 0) return undefined;
  return async (probe) => {
    for (const observe of installed) await observe(probe);
  };
}
