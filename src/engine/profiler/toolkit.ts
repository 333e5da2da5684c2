import { createRng } from '../util/rng.js';
import type { ProbeLevel } from '../primitives/catalog.js';
import type { ProbeCheckpoint, ProbeGenerator, ProbeInstance } from './types.js';

/**
 * Helpers every generator uses: a seeded random source with the usual draws, the per-level
 * generator and text-answer instance builders, checkpoint builders, and parsers for what models
 * write (fenced blocks, JSON, numbers in prose). Content and check helpers of one kind live in
 * gen/ (words, text, answer lines, program checks, numbers, CSV, HTML).
 */

export interface ProbeRng {
  /** Uniform in [0, 1). */
  next(): number;
  /** Integer in [min, max], both included. */
  int(min: number, max: number): number;
  pick<T>(items: readonly T[]): T;
  /** Unbiased (Fisher–Yates) shuffled copy. */
  shuffle<T>(items: readonly T[]): T[];
  /** n distinct items, in random order. */
  sample<T>(items: readonly T[], n: number): T[];
  /** A float in [min, max) rounded to `digits` decimals. */
  float(min: number, max: number, digits: number): number;
}

export function probeRng(seed: number | string): ProbeRng {
  const r = createRng(seed);
  const shuffle = <T>(items: readonly T[]): T[] => {
    const a = [...items];
    for (let i = a.length - 1; i > 0; i--) {
      const j = r.int(0, i);
      [a[i], a[j]] = [a[j]!, a[i]!];
    }
    return a;
  };
  return {
    next: r.next,
    int: r.int,
    pick: (items) => {
      if (items.length === 0) throw new Error('pick from an empty list');
      return items[r.int(0, items.length - 1)]!;
    },
    shuffle,
    sample: (items, n) => shuffle(items).slice(0, n),
    float: (min, max, digits) => Number((min + r.next() * (max - min)).toFixed(digits)),
  };
}

/** The seed of one instance, derived from the profile's seed so a profile can be replayed. */
export function instanceSeed(profileSeed: number, primitiveId: string, level: ProbeLevel, index: number): number {
  return createRng(`${profileSeed}:${primitiveId}:${level}:${index}`).int(0, 0x7fffffff);
}

export function defineGenerator(gen: ProbeGenerator): ProbeGenerator {
  return gen;
}

/** Builds one level's instance from the level's random source. */
export type LevelBuilder = (rng: ProbeRng, seed: number, level: ProbeLevel) => ProbeInstance;

/**
 * A generator with one builder per level; each instance draws from a random source seeded by
 * `<primitiveId>:<level>:<seed>`, so generate(level, seed) always gives the same instance.
 */
export function generatorByLevel(primitiveId: string, descriptions: Record<ProbeLevel, string>, builders: Record<ProbeLevel, LevelBuilder>): ProbeGenerator {
  return defineGenerator({
    primitiveId,
    descriptions,
    generate(level: ProbeLevel, seed: number): ProbeInstance {
      return builders[level](probeRng(`${primitiveId}:${level}:${seed}`), seed, level);
    },
  });
}

/** A probe answered in the final text alone: no setup files, no tools required. */
export interface TextTask {
  prompt: string;
  check(text: string): ProbeCheckpoint[] | Promise<ProbeCheckpoint[]>;
  referenceText: string;
  nearMissText: string;
}

export function textProbe(primitiveId: string, level: ProbeLevel, seed: number, task: TextTask): ProbeInstance {
  return {
    primitiveId,
    level,
    seed,
    prompt: task.prompt,
    setupFiles: {},
    requires: [],
    async check(ctx) {
      return task.check(ctx.finalText);
    },
    reference: solution({ text: task.referenceText }),
    nearMiss: solution({ text: task.nearMissText }),
  };
}

/** A pass/fail checkpoint (score 1 or 0) with the reason shown on failure. */
export function cp(name: string, ok: boolean, reason?: string): ProbeCheckpoint {
  return ok ? { name, score: 1 } : { name, score: 0, ...(reason ? { reason } : {}) };
}

/** A graded checkpoint, score clamped into [0, 1]. */
export function graded(name: string, score: number, reason?: string): ProbeCheckpoint {
  const s = Math.max(0, Math.min(1, Number.isFinite(score) ? score : 0));
  return { name, score: s, ...(reason ? { reason } : {}) };
}

/** The instance passes when every checkpoint scores at least 0.5 (and there is at least one). */
export function passes(cps: readonly ProbeCheckpoint[]): boolean {
  return cps.length > 0 && cps.every((c) => c.score >= 0.5);
}

/** Text without a surrounding ``` fence (with or without a language tag). */
export function stripFences(text: string): string {
  const t = text.trim();
  const m = /^```[A-Za-z0-9_-]*\s*\n([\s\S]*?)\n?```\s*$/.exec(t);
  return m ? m[1]!.trim() : t;
}

/** The body of the first ``` fenced block anywhere in the text (language tag allowed), untrimmed; undefined when there is none. */
export function firstFencedBlock(text: string): string | undefined {
  return /```[A-Za-z0-9_-]*[ \t]*\r?\n([\s\S]*?)\r?\n?```/.exec(text)?.[1];
}

/** JSON.parse that gives undefined for missing or invalid text. */
export function tryParseJson(text: string | undefined): unknown {
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** A value as compact JSON for a checkpoint reason, cut to `max` characters. */
export function showJson(v: unknown, max = 80): string {
  const s = JSON.stringify(v);
  return s === undefined ? String(v) : s.length > max ? `${s.slice(0, max - 1)}…` : s;
}

/** The first JSON value in the text (fences stripped, else the outermost {…} or […] span). */
export function parseJsonLoose(text: string): unknown | undefined {
  const t = stripFences(text);
  try {
    return JSON.parse(t);
  } catch {
    // fall through to the span search
  }
  for (const [open, close] of [
    ['{', '}'],
    ['[', ']'],
  ] as const) {
    const a = t.indexOf(open);
    const b = t.lastIndexOf(close);
    if (a >= 0 && b > a) {
      try {
        return JSON.parse(t.slice(a, b + 1));
      } catch {
        // try the other bracket kind
      }
    }
  }
  return undefined;
}

/** Every number written in the text (commas as thousands separators are removed). */
export function numbersIn(text: string): number[] {
  return [...text.replace(/(\d),(?=\d{3}\b)/g, '$1').matchAll(/-?\d+(?:\.\d+)?/g)].map((m) => Number(m[0]));
}

export function lastNumber(text: string): number | undefined {
  const ns = numbersIn(text);
  return ns.length ? ns[ns.length - 1] : undefined;
}

export function approxEqual(a: number, b: number, tol: number): boolean {
  return Math.abs(a - b) <= tol;
}

/** Non-empty trimmed lines. */
export function lines(text: string): string[] {
  return text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l.length > 0);
}

/** A one-turn solution: some tool calls, then the final answer. */
export function solution(...turns: Array<{ toolCalls?: Array<{ name: string; arguments: Record<string, unknown> }>; text?: string }>): ProbeInstance['reference'] {
  return { turns };
}

/** Shorthands for the bare-agent tool calls solutions use. */
export const call = {
  read: (path: string) => ({ name: 'read_file', arguments: { path } }),
  write: (path: string, content: string) => ({ name: 'write_file', arguments: { path, content } }),
  list: (path = '.') => ({ name: 'list_directory', arguments: { path } }),
  exec: (command: string) => ({ name: 'execute_command', arguments: { command } }),
  fetch: (url: string) => ({ name: 'web_fetch', arguments: { url } }),
};
