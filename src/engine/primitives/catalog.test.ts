import { describe, expect, it } from 'vitest';
import { NotFoundError } from '../util/errors.js';
import {
  ALL_PRIMITIVE_IDS,
  DEGRADATION_STEPS,
  LEVELS,
  PRIMITIVE_CATEGORIES,
  PRIMITIVE_ID_PATTERN,
  PROBE_LEVELS,
  allPrimitives,
  compareLevel,
  getPrimitive,
  isLevel,
  levelMeaning,
  primitiveIndex,
  primitivesByCategory,
  requirePrimitive,
} from './catalog.js';

// The reference's catalog order (spec §1).
const REFERENCE_ORDER = [
  'gen.code.python',
  'gen.code.javascript',
  'gen.code.shell',
  'gen.code.sql',
  'gen.code.html',
  'gen.text.structured',
  'gen.text.long',
  'gen.text.prose',
  'gen.regex',
  'reason.arithmetic',
  'reason.logic',
  'reason.spatial',
  'reason.planning',
  'reason.analysis',
  'tool.file.read',
  'tool.file.write',
  'tool.exec',
  'tool.call.format',
  'tool.call.batch',
  'tool.web',
  'tool.browser',
  'follow.format',
  'follow.constraint',
  'follow.procedure',
  'follow.delegation',
  'follow.style',
];

describe('primitive catalog', () => {
  it('has the 26 reference ids, unique, in reference order', () => {
    expect(ALL_PRIMITIVE_IDS).toEqual(REFERENCE_ORDER);
    expect(new Set(ALL_PRIMITIVE_IDS).size).toBe(26);
    expect(allPrimitives().map((p) => p.id)).toEqual(REFERENCE_ORDER);
    for (const id of ALL_PRIMITIVE_IDS) expect(id).toMatch(PRIMITIVE_ID_PATTERN);
  });

  it('counts 9/5/7/5 per category, and ids carry their category prefix', () => {
    const counts = Object.fromEntries(PRIMITIVE_CATEGORIES.map((c) => [c, primitivesByCategory(c).length]));
    expect(counts).toEqual({ generation: 9, reasoning: 5, tool_use: 7, instruction_following: 5 });
    const prefix = { generation: 'gen.', reasoning: 'reason.', tool_use: 'tool.', instruction_following: 'follow.' } as const;
    for (const p of allPrimitives()) expect(p.id.startsWith(prefix[p.category])).toBe(true);
  });

  it('has a non-empty description, level text and degradation for every entry except tool.browser L2->L1', () => {
    const nulls: string[] = [];
    for (const p of allPrimitives()) {
      expect(p.description.trim().length).toBeGreaterThan(5);
      for (const l of PROBE_LEVELS) expect(p.levels[l].trim().length, `${p.id} ${l}`).toBeGreaterThan(5);
      expect(new Set(PROBE_LEVELS.map((l) => p.levels[l])).size, `${p.id} levels differ`).toBe(3);
      for (const step of DEGRADATION_STEPS) {
        const d = p.degradations[step];
        if (d === null) nulls.push(`${p.id} ${step}`);
        else {
          expect(d.trim().length, `${p.id} ${step}`).toBeGreaterThan(20);
          // One or two sentences, ending with a full stop: they are pasted into prompts.
          expect(d.trim().endsWith('.'), `${p.id} ${step}`).toBe(true);
          expect(d.split(/[.!?](\s|$)/).filter((s) => s && s.trim().length > 0).length).toBeLessThanOrEqual(3);
        }
      }
    }
    expect(nulls).toEqual(['tool.browser L2->L1']);
  });

  it('is frozen', () => {
    const p = getPrimitive('tool.exec')!;
    expect(Object.isFrozen(p)).toBe(true);
    expect(Object.isFrozen(p.levels)).toBe(true);
    expect(Object.isFrozen(allPrimitives())).toBe(true);
    expect(() => {
      (p.levels as { L1: string }).L1 = 'x';
    }).toThrow();
  });

  it('looks primitives up and suggests the closest ids for unknown ones', () => {
    expect(getPrimitive('gen.code.python')?.category).toBe('generation');
    expect(getPrimitive('gen.code.cobol')).toBeUndefined();
    expect(requirePrimitive('tool.web').id).toBe('tool.web');
    try {
      requirePrimitive('tool.fil.read');
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(NotFoundError);
      expect((err as NotFoundError).suggestions).toContain('tool.file.read');
      expect((err as NotFoundError).message).toContain('tool.fil.read');
    }
    expect(primitiveIndex('gen.code.python')).toBe(0);
    expect(primitiveIndex('follow.style')).toBe(25);
    expect(primitiveIndex('nope')).toBe(26);
  });

  it('orders levels', () => {
    expect(LEVELS).toEqual(['L0', 'L1', 'L2', 'L3']);
    expect(compareLevel('L3', 'L1')).toBe(2);
    expect(compareLevel('L0', 'L2')).toBe(-2);
    expect(compareLevel('L2', 'L2')).toBe(0);
    expect(isLevel('L3')).toBe(true);
    expect(isLevel('L4')).toBe(false);
    expect(isLevel('toString')).toBe(false);
    const p = requirePrimitive('gen.code.shell');
    expect(levelMeaning(p, 'L2')).toBe(p.levels.L2);
    expect(levelMeaning(p, 'L0')).toMatch(/not demonstrated/i);
  });
});
