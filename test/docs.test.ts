import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { prompts } from '../prompts/index.js';
import { configInitTool } from '../tools/config_init.js';
import { operations } from '../tools/index.js';
import { REPO } from './e2e/harness.js';
import { mentionedToolNames } from './tool-mentions.js';

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

describe('docs/jit.md and the README', () => {
  const jit = readFileSync(path.join(REPO, 'docs/jit.md'), 'utf8');
  const readme = readFileSync(path.join(REPO, 'README.md'), 'utf8');

  it('name every MCP prompt and each of its arguments', () => {
    for (const p of prompts) {
      for (const doc of [jit, readme]) expect(doc, p.name).toContain(`\`${p.name}\``);
      const readmeRow = readme.split('\n').find((l) => l.startsWith(`| \`${p.name}\``)) ?? '';
      for (const arg of Object.keys(p.args.shape)) expect(readmeRow, `${p.name} ${arg}`).toContain(`\`${arg}\``);
    }
  });

  it('docs/jit.md names only tools the registry has (tools/index.ts), besides the prompts', () => {
    const names = operations.map((o) => o.name);
    const promptNames = prompts.map((p) => p.name);
    const mentioned = mentionedToolNames(jit, names.filter((n) => !n.includes('_'))).filter((t) => !promptNames.includes(t));
    expect(mentioned).toContain('jit_optimize');
    expect(mentioned.filter((t) => !names.includes(t))).toEqual([]);
  });
});
