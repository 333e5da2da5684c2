import { createHash } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import { BARE_AGENT_TOOLS } from '../../agent/tools.js';
import type { ProbeObserver } from '../../profiler/probe-hooks.js';
import type { SimPolicy, SimReply, SimRequest } from '../policy.js';
import { translateBareCall } from './bare-to-harness.js';
import { requestWorkDir } from './offered-tools.js';

/**
 * The planted-capability target: a simulated model whose true level per primitive is given.
 * It answers every profiler probe with that probe's reference solution when the probe's level
 * is within the planted level of its primitive, and with the probe's near-miss otherwise — so
 * a full profile of it must recover the planted map exactly.
 *
 * Probes are recognised through a **registry directory** filled by a probe observer
 * (`probeRegistryObserver`, handed to the profiler as `onProbe` in process, or installed in a
 * server process by `probe-registry-preload.ts`): per probe instance, after `{{BASE_URL}}`
 * substitution, `<registryDir>/<sha256(prompt)>.json` = `{ primitiveId, level, prompt,
 * reference, nearMiss }`. Nothing is ever added to a prompt, so a real model sees exactly what
 * it would see without the simulator.
 *
 * Through the bare agent the first user message is the exact prompt (found by its hash) and
 * the tools are the bare agent's. Through a CLI harness neither holds, so the policy is
 * harness-neutral:
 * - the probe is the registered prompt contained in any user message of the request (Claude
 *   Code adds system reminders, Codex environment messages); the longest match wins;
 * - the turn is the number of assistant turns with tool calls; a request without tools that is
 *   not the bare prompt (a title, a summary) gets a short text;
 * - each solution call is translated into the offered tools (bare-to-harness.ts); one that
 *   cannot be becomes a text saying so, which ends the harness's run visibly.
 *
 * Stateless: turn k of the conversation gets turn k of the chosen solution; past the end the
 * final text turn repeats. Any number of agents may talk to it at once, in any interleaving,
 * and a retried request gets the same answer. Registry entries are read from disk and cached
 * while the file stays the same (a miss is not cached, and an entry rewritten for a new probe
 * with the same prompt is read again); the prompt of a file is fixed by its name, so the index
 * of prompts only grows by the files that appeared since the last look.
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
  /** The prompt itself, so a harness that wraps it can be matched (entries without it match by hash only). */
  prompt?: string;
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
    await writeProbeRegistryEntry(registryDir, probe.prompt, { primitiveId: probe.primitiveId, level: probe.level, prompt: probe.prompt, reference: probe.reference, nearMiss: probe.nearMiss });
  };
}

export const PLANTED_FALLBACK_TEXT = 'skvm simulator (planted-capability target): this prompt is not a registered profiler probe.';
/** The answer to a harness's side request (no tools: a title, a summary) during a probe. */
export const PLANTED_SIDE_TEXT = 'skvm simulator (planted-capability target): profiler probe';
/** Starts the text that replaces a solution turn the offered tools cannot express. */
export const PLANTED_UNTRANSLATABLE = 'skvm simulator (planted-capability target): cannot play this probe through this harness:';

function isEntry(v: unknown): v is ProbeRegistryEntry {
  if (typeof v !== 'object' || v === null) return false;
  const e = v as Record<string, unknown>;
  const sol = (s: unknown) => typeof s === 'object' && s !== null && Array.isArray((s as { turns?: unknown }).turns);
  return typeof e.primitiveId === 'string' && (e.prompt === undefined || typeof e.prompt === 'string') && (e.level === 'L1' || e.level === 'L2' || e.level === 'L3') && sol(e.reference) && sol(e.nearMiss);
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

/** The solution a request gets: which one, which turn, and whether its calls go through a harness's tools. */
export interface PlantedChoice {
  entry: ProbeRegistryEntry;
  solution: 'reference' | 'nearMiss';
  turn: number;
  /** The request comes from a harness other than the bare agent: calls are translated, side requests answered apart. */
  harness: boolean;
}

export interface PlantedPolicy extends SimPolicy {
  /** Which solution the policy plays for a request (undefined for an unregistered prompt). */
  choose(req: Pick<SimRequest, 'messages' | 'tools'>): Promise<PlantedChoice | undefined>;
}

const BARE_TOOL_NAMES = BARE_AGENT_TOOLS.map((t) => t.name);

/** The bare agent offers all its tools; tests and raw clients offer none. */
function offersBareTools(tools: SimRequest['tools']): boolean {
  return BARE_TOOL_NAMES.every((name) => tools.some((t) => t.name === name));
}

/** A solution turn through a harness's tools; a call they cannot express turns the reply into a text saying so. */
function throughHarness(reply: SimReply, req: SimRequest): SimReply {
  if (reply.kind !== 'message' || !reply.toolCalls) return reply;
  const workDir = requestWorkDir(req);
  const calls: NonNullable<typeof reply.toolCalls> = [];
  for (const c of reply.toolCalls) {
    const t = translateBareCall(c, req.tools, workDir);
    if ('untranslatable' in t) return { kind: 'message', text: `${PLANTED_UNTRANSLATABLE} ${t.untranslatable}.` };
    calls.push(t.call);
  }
  return { ...reply, toolCalls: calls };
}

export function plantedPolicy(opts: PlantedPolicyOptions): PlantedPolicy {
  for (const [id, level] of Object.entries(opts.levels)) {
    if (!Object.hasOwn(ORDER, level)) throw new Error(`planted policy: level "${String(level)}" of ${id} is not one of L0, L1, L2, L3`);
  }
  const levels = { ...opts.levels };
  const registryDir = path.resolve(opts.registryDir);
  /** Parsed entries by key, with the file's identity when read (a rewritten entry is read again). */
  const cache = new Map<string, { stamp: string; entry: ProbeRegistryEntry }>();
  /** Registered prompts by key (a key fixes its prompt, so a found prompt never goes stale). */
  const prompts = new Map<string, string>();
  const fallback: SimReply = opts.fallback ?? { kind: 'message', text: PLANTED_FALLBACK_TEXT };

  const lookupKey = async (key: string): Promise<ProbeRegistryEntry | undefined> => {
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

  /** The registered probe whose prompt the user texts contain (the longest, when several do). */
  const lookupContained = async (texts: readonly string[]): Promise<ProbeRegistryEntry | undefined> => {
    const names = await fsp.readdir(registryDir).catch(() => [] as string[]);
    const keys = names.filter((n) => /^[0-9a-f]{64}\.json$/.test(n)).map((n) => n.slice(0, 64));
    for (const key of keys) {
      if (prompts.has(key)) continue;
      const prompt = (await lookupKey(key))?.prompt;
      // An entry whose prompt does not hash to its name is not trusted for matching.
      if (prompt !== undefined && probeRegistryKey(prompt) === key) prompts.set(key, prompt);
    }
    let best: { key: string; length: number } | undefined;
    for (const key of keys) {
      const prompt = prompts.get(key)?.trim();
      if (!prompt || (best && prompt.length <= best.length)) continue;
      if (texts.some((t) => t.includes(prompt))) best = { key, length: prompt.length };
    }
    return best ? lookupKey(best.key) : undefined;
  };

  const choose: PlantedPolicy['choose'] = async (req) => {
    const users = req.messages.filter((m) => m.role === 'user').map((m) => m.content);
    if (users.length === 0) return undefined;
    const exact = await lookupKey(probeRegistryKey(users[0]!));
    const entry = exact ?? (await lookupContained(users));
    if (!entry) return undefined;
    const planted = levels[entry.primitiveId] ?? 'L0';
    const solution = ORDER[entry.level] <= ORDER[planted] ? 'reference' : 'nearMiss';
    const harness = !offersBareTools(req.tools) && !(exact && req.tools.length === 0);
    const assistants = req.messages.filter((m) => m.role === 'assistant');
    const turn = harness ? assistants.filter((m) => (m.toolCalls?.length ?? 0) > 0).length : assistants.length;
    return { entry, solution, turn, harness };
  };

  return {
    name: opts.name ?? 'planted',
    choose,
    async respond(req) {
      const picked = await choose(req);
      if (!picked) return fallback;
      if (picked.harness && req.tools.length === 0) return { kind: 'message', text: PLANTED_SIDE_TEXT };
      const reply = solutionTurnReply(picked.entry[picked.solution].turns, picked.turn);
      return picked.harness ? throughHarness(reply, req) : reply;
    },
  };
}
