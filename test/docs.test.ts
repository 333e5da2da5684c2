import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { configInitTool } from '../tools/config_init.js';
import { REPO } from './e2e/harness.js';

describe('docs/configuration.md', () => {
  it('names every field a config_init route takes', () => {
    const doc = readFileSync(path.join(REPO, 'docs/configuration.md'), 'utf8');
    const routes = configInitTool.input.shape.routes;
    const route = ((routes.unwrap() as z.ZodArray).element as z.ZodObject).shape;
    const fields = Object.keys(route);
    expect(fields).toContain('authFree');
    for (const f of fields) expect(doc, f).toContain(`\`${f}\``);
  });
});
