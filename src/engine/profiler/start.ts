import type { AdapterMode } from '../agent/adapters/types.js';
import { harnessHost, needsRoute } from '../runtime/host.js';
import { sandboxMode } from '../config/sandbox.js';
import type { Engine } from '../engine.js';
import type { ChatProvider } from '../llm/types.js';
import { recordSession } from '../logs/sessions-index.js';
import type { Logger } from '../util/log.js';
import { installedProbeObserver } from './probe-hooks.js';
import { profileMany } from './profile.js';
import { profileSessionOutcome, profileSessionStart } from './session-entry.js';
import type { ProfileManyResult, ProgressCallback } from './session-types.js';

/**
 * A profile as the `profile` operation asks for it: roots from the engine, the configured
 * sandbox, models checked for a route and key before anything runs, the run recorded in
 * `<logs>/sessions.jsonl`, and the probe observers installed in this process (only the
 * simulator's preload installs one; nothing is ever added to a prompt).
 */
export interface StartProfileOptions {
  models: string[];
  harnesses: string[];
  /** CLI harnesses: managed or native (default: config defaults.adapterConfigMode, else managed). */
  adapterConfig?: AdapterMode;
  primitives?: string[];
  skip?: string[];
  instances: number;
  force: boolean;
  /** Default: each route's maxConcurrency, adapting down when the vendor pushes back. */
  concurrency?: number;
  timeoutMs: number;
  seed?: number;
  /** Another run profiling the same model and harness: wait for it and reuse its profile, or fail. Default wait. */
  ifRunning?: 'wait' | 'fail';
  /** The run this profile belongs to (named to other processes that find the job locked). */
  runId?: string;
  llm: ChatProvider;
  signal?: AbortSignal;
  onProgress?: ProgressCallback;
  log?: Logger;
}

export async function startProfile(engine: Engine, opts: StartProfileOptions): Promise<ProfileManyResult> {
  const hostFor = (harness: string) => harnessHost(engine.config().config, engine.env, harness, opts.adapterConfig);
  // A native harness uses its own login: its models need no route of ours.
  if (opts.harnesses.some((h) => needsRoute(hostFor(h), h))) {
    for (const m of opts.models) engine.llm.resolve(m);
    for (const m of opts.models) engine.llm.warm(m);
  }
  const onProbe = installedProbeObserver();
  const jobs = opts.models.flatMap((model) => opts.harnesses.map((harness) => ({ model, harness })));
  const start = profileSessionStart(jobs, { logs: engine.roots.logs.value, cache: engine.roots.cache.value });
  const run = () =>
    profileMany(jobs, {
      ...(opts.primitives ? { primitives: opts.primitives } : {}),
      ...(opts.skip ? { skip: opts.skip } : {}),
      instances: opts.instances,
      force: opts.force,
      ...(opts.concurrency !== undefined ? { concurrency: opts.concurrency } : {}),
      timeoutMs: opts.timeoutMs,
      ...(opts.seed !== undefined ? { profileSeed: opts.seed } : {}),
      ...(opts.ifRunning ? { ifRunning: opts.ifRunning } : {}),
      ...(opts.runId ? { runId: opts.runId } : {}),
      llm: opts.llm,
      hostFor,
      profilesDir: engine.roots.profiles.value,
      logsDir: engine.roots.logs.value,
      tmpRoot: engine.tmpDir().value,
      sandbox: { mode: sandboxMode(engine) },
      ...(opts.signal ? { signal: opts.signal } : {}),
      ...(opts.onProgress ? { onProgress: opts.onProgress } : {}),
      ...(opts.log ? { log: opts.log } : {}),
      ...(onProbe ? { onProbe } : {}),
    });
  return recordSession(engine.roots.sessionsIndex, start, run, profileSessionOutcome);
}
