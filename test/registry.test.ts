import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { annotationsFor } from '../src/contract/operation.js';
import { exposedInput } from '../src/contract/invoke.js';
import { resourceFamilies } from '../resources/index.js';
import { operations } from '../tools/index.js';
import { REPO } from './e2e/harness.js';

/**
 * Flags the CLI takes for itself anywhere in argv; an operation field with one of these names
 * could not be set. (`--version` is global only before a command word, so fields may use it.)
 */
const GLOBAL_FLAGS = ['json', 'quiet', 'help', 'skvm-cache', 'skvm-data-dir', 'tmp-dir'];
const kebab = (s: string) => s.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);

describe('operation registry', () => {
  it('has unique snake_case names and model-facing descriptions', () => {
    const names = operations.map((o) => o.name);
    expect(new Set(names).size).toBe(names.length);
    for (const op of operations) {
      expect(op.name).toMatch(/^[a-z][a-z0-9]*(_[a-z0-9]+)*$/);
      expect(op.description.length, op.name).toBeGreaterThan(100);
      expect(op.title.length, op.name).toBeGreaterThan(3);
    }
  });

  it('derives consistent annotations', () => {
    for (const op of operations) {
      const a = annotationsFor(op);
      if (a.readOnlyHint) expect([a.destructiveHint, a.idempotentHint], op.name).toEqual([false, true]);
      if (op.effect === 'destructive') expect(a.readOnlyHint).toBe(false);
    }
  });

  it('uses no input field the CLI reserves for a global flag', () => {
    for (const op of operations) {
      for (const key of Object.keys(exposedInput(op).shape)) expect(GLOBAL_FLAGS, `${op.name}.${key}`).not.toContain(kebab(key));
    }
  });

  it('is documented: the README names every tool and every resource URI', () => {
    const readme = readFileSync(path.join(REPO, 'README.md'), 'utf8');
    for (const op of operations) expect(readme, op.name).toContain(`\`${op.name}\``);
    for (const r of resourceFamilies) expect(readme, r.uri).toContain(r.uri);
  });

  it('has unique resource names and URIs', () => {
    expect(new Set(resourceFamilies.map((r) => r.name)).size).toBe(resourceFamilies.length);
    expect(new Set(resourceFamilies.map((r) => r.uri)).size).toBe(resourceFamilies.length);
  });
});

describe('bench conditions', () => {
  it('the bench tool describes exactly the registered conditions', async () => {
    const { listConditions } = await import('../src/engine/bench/conditions.js');
    const { BENCH_CONDITIONS_HELP } = await import('../tools/bench.js');
    const named = [...BENCH_CONDITIONS_HELP.matchAll(/([a-z][a-z-]+) \(/g)].map((m) => m[1]);
    expect(named).toEqual(listConditions().map((c) => c.name));
  });
});
