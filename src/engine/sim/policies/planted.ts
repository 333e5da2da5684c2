import { createHash } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import type { ProbeObserver } from '../../profiler/probe-hooks.js';
import type { SimPolicy, SimReply, SimRequest } from '../policy.js';

/**
 * The planted-capability target: a simulated model whose true level per primitive is given.
 * It answers every profiler probe with that probe's reference solution when the probe's level
 * is within the planted level of its primitive, and with the probe's near-miss otherwise — so
 * a full profile of it must recover the planted map exactly.
 *
 * Probes are recognised through a **registry directory** filled by a probe observer
 * (`probeRegistryObserver`, handed to the profiler as `onProbe` in process, or installed in a
 * server process by `probe-registry-preload.ts`): per probe instance, after `{{BASE_URL}}`
 * substitution, `<registryDir>/<sha256(prompt)>.json` = `{ primitiveId, level, reference,
 * nearMiss }`. Nothing is ever added to a prompt, so a real model sees exactly what it would
 * see without the simulator.
 *
 * Stateless: turn k of the conversation (k = assistant messages already in the request) gets
 * turn k of the chosen solution; past the end the final text turn repeats. Any number of
 * agents may talk to it at once, in any interleaving, and a retried request gets the same
 * answer. Registry entries are read from disk and cached while the file stays the same (a miss
 * is not cached, and an entry rewritten for a new probe with the same prompt is read again).
 */

/** The levels the policy understands (L0 = the capability is absent). */
export type PlantedLevel = 'L0' | 'L1' | 'L2' | 'L3';
const ORDER: Record<PlantedLevel, number> = { L0: 0, L1: 1, L2: 2, L3: 3 };

/** One scripted assistant turn (structurally the profiler's SolutionTurn). */
export interface PlantedTurn {
  toolCalls?: Array<{ name: string; arguments: Record<string, unknown> }>;
  text?: string;
}

/** What the profiler registers per probe instance. */
export interface ProbeRegistryEntry {
  primitiveId: string;
  level: 'L1' | 'L2' | 'L3';
  reference: { turns: PlantedTurn[] };
  nearMiss: { turns: PlantedTurn[] };
}

export interface PlantedPolicyOptions {
  /** Planted level per primitive id; a primitive not listed is L0 (every probe gets the near-miss). */
  levels: Record<string, PlantedLevel>;
  /** Where the profiler writes `<sha256(prompt)>.json` registry entries. */
  registryDir: string;
  /** Answer for prompts that are not registered probes; default a short text saying so. */
  fallback?: SimReply;
  name?: string;
}

/** Registry key of a prompt: the hex sha256 of its exact text (UTF-8). */
export function probeRegistryKey(prompt: string): string {
  return createHash('sha256').update(prompt, 'utf8').digest('hex');
}

/** Path of a prompt's registry entry. */
export function probeRegistryPath(registryDir: string, prompt: string): string {
  return path.join(registryDir, `${probeRegistryKey(prompt)}.json`);
}

/** Write one registry entry (atomically: temp file + rename, so a reader never sees half a file). */
export async function writeProbeRegistryEntry(registryDir: string, prompt: string, entry: ProbeRegistryEntry): Promise<string> {
  await fsp.mkdir(registryDir, { recursive: true });
  const file = probeRegistryPath(registryDir, prompt);
  const tmp = `${file}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  await fsp.writeFile(tmp, JSON.stringify(entry));
  await fsp.rename(tmp, file);
  return file;
}

/** The variable naming the registry directory for the preload below. */
export const SIM_REGISTRY_ENV = 'SKVM_SIM_PROBE_REGISTRY';

/** `node --import` this URL to register the probes of that process's profiles (see the preload). */
export const PROBE_REGISTRY_PRELOAD = new URL('../probe-registry-preload.js', import.meta.url).href;

/** The profiler probe observer that fills a registry directory. */
export function probeRegistryObserver(registryDir: string): ProbeObserver {
  return async (probe) => {
    await writeProbeRegistryEntry(registryDir, probe.prompt, { primitiveId: probe.primitiveId, level: probe.level, reference: probe.reference, nearMiss: probe.nearMiss });
  };
}

export const PLANTED_FALLBACK_TEXT = 'skvm simulator (planted-capability target): this prompt is not a registered profiler probe.';

function isEntry(v: unknown): v is ProbeRegistryEntry {
  if (typeof v !== 'object' || v === null) return false;
  const e = v as Record<string, unknown>;
  const sol = (s: unknown) => typeof s === 'object' && s !== null && Array.isArray((s as { turns?: unknown }).turns);
  return typeof e.primitiveId === 'string' && (e.level === 'L1' || e.level === 'L2' || e.level === 'L3') && sol(e.reference) && sol(e.nearMiss);
}

/** The reply for turn `k` of a solution: turn k, or past the end the final text turn. */
export function solutionTurnReply(turns: readonly PlantedTurn[], k: number): SimReply {
  let turn: PlantedTurn | undefined = turns[k];
  if (!turn) {
    for (let i = turns.length - 1; i >= 0; i--) {
      const t = turns[i]!;
      if (t.text !== undefined && (t.toolCalls?.length ?? 0) === 0) {
        turn = t;
        break;
      }
    }
    turn ??= { text: [...turns].reverse().find((t) => t.text)?.text ?? '' };
  }
  const calls = turn.toolCalls ?? [];
  const reply: SimReply = { kind: 'message', text: turn.text ?? '' };
  if (calls.length > 0) reply.toolCalls = calls.map((c) => ({ name: c.name, arguments: c.arguments }));
  return reply;
}

export interface PlantedPolicy extends SimPolicy {
  /** Which solution the policy plays for a request (undefined for an unregistered prompt). */
  choose(req: Pick<SimRequest, 'messages'>): Promise<{ entry: ProbeRegistryEntry; solution: 'reference' | 'nearMiss'; turn: number } | undefined>;
}

export function plantedPolicy(opts: PlantedPolicyOptions): PlantedPolicy {
  for (const [id, level] of Object.entries(opts.levels)) {
    if (!Object.hasOwn(ORDER, level)) throw new Error(`planted policy: level "${String(level)}" of ${id} is not one of L0, L1, L2, L3`);
  }
  const levels = { ...opts.levels };
  const registryDir = path.resolve(opts.registryDir);
  /** Parsed entries by key, with the file's identity when read (a rewritten entry is read again). */
  const cache = new Map<string, { stamp: string; entry: ProbeRegistryEntry }>();
  const fallback: SimReply = opts.fallback ?? { kind: 'message', text: PLANTED_FALLBACK_TEXT };

  const lookup = async (prompt: string): Promise<ProbeRegistryEntry | undefined> => {
    const key = probeRegistryKey(prompt);
    const file = path.join(registryDir, `${key}.json`);
    let stamp: string;
    try {
      const st = await fsp.stat(file);
      stamp = `${st.ino}:${st.mtimeMs}:${st.size}`;
    } catch {
      return undefined; // not registered (misses are never cached)
    }
    const hit = cache.get(key);
    if (hit && hit.stamp === stamp) return hit.entry;
    try {
      const v: unknown = JSON.parse(await fsp.readFile(file, 'utf8'));
      if (!isEntry(v)) return undefined;
      cache.set(key, { stamp, entry: v });
      return v;
    } catch {
      return undefined;
    }
  };

  const choose: PlantedPolicy['choose'] = async (req) => {
    const prompt = req.messages.find((m) => m.role === 'user')?.content;
    if (prompt === undefined) return undefined;
    const entry = await lookup(prompt);
    if (!entry) return undefined;
    const planted = levels[entry.primitiveId] ?? 'L0';
    const solution = ORDER[entry.level] <= ORDER[planted] ? 'reference' : 'nearMiss';
    const turn = req.messages.filter((m) => m.role === 'assistant').length;
    return { entry, solution, turn };
  };

  return {
    name: opts.name ?? 'planted',
    choose,
    async respond(req) {
      const picked = await choose(req);
      if (!picked) return fallback;
      return solutionTurnReply(picked.entry[picked.solution].turns, picked.turn);
    },
  };
}
