import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { globalHelp } from '../src/cli/help.js';
import { SERVER_INSTRUCTIONS } from '../src/server/instructions.js';
import { operations } from '../tools/index.js';
import { runsListTool } from '../tools/runs_list.js';
import { REPO } from './e2e/harness.js';

/**
 * The texts a user reads first say only what exists: compile and optimize appear in them once
 * an operation of that name is registered, not before.
 */
const readme = readFileSync(path.join(REPO, 'README.md'), 'utf8');
const texts: Record<string, string> = {
  'server instructions': SERVER_INSTRUCTIONS,
  'runs_list description': runsListTool.description,
  'CLI banner': globalHelp([], '0.0.0').split('\n')[0]!,
  'README intro': readme.slice(0, readme.indexOf('\n```')),
  'package description': (JSON.parse(readFileSync(path.join(REPO, 'package.json'), 'utf8')) as { description: string }).description,
};

describe('user-visible texts', () => {
  for (const [word, pattern] of [
    ['compile', /\bcompil(e|es|ing)\b/i],
    ['optimize', /\boptimi[sz](e|es|ing)\b/i],
  ] as const) {
    const exists = operations.some((o) => o.name.includes(word));
    it(`mention ${word} only when an operation for it exists (${exists ? 'it does' : 'none yet'})`, () => {
      for (const [where, text] of Object.entries(texts)) {
        expect(text.length, where).toBeGreaterThan(20);
        if (!exists) expect(text, where).not.toMatch(pattern);
      }
    });
  }
});
