import { describe, expect, it } from 'vitest';
import type { SCR } from '../../types.js';
import { repairMessage, rewriteUserPrompt, stepsFor } from './rewrite-prompt.js';
import { fenced } from './text.js';

describe('stepsFor (which degradation guidance a gap needs)', () => {
  it('names every one-level step between the required level and the model level', () => {
    expect(stepsFor({ requiredLevel: 'L3', modelLevel: 'L2' })).toEqual(['L3->L2']);
    expect(stepsFor({ requiredLevel: 'L3', modelLevel: 'L0' })).toEqual(['L3->L2', 'L2->L1']);
    expect(stepsFor({ requiredLevel: 'L2', modelLevel: 'L1' })).toEqual(['L2->L1']);
    expect(stepsFor({ requiredLevel: 'L1', modelLevel: 'L0' })).toEqual([]);
  });
});

describe('fenced', () => {
  it('uses a fence longer than any backtick run in the body', () => {
    expect(fenced('a\n```js\nx\n```\n', 'markdown')).toBe('````markdown\na\n```js\nx\n```\n````');
    expect(fenced('plain')).toBe('```\nplain\n```');
  });
});

describe('rewriteUserPrompt', () => {
  const scr: SCR = {
    skillName: 's',
    purposes: [
      {
        id: 'browse',
        description: 'Log in and read the dashboard',
        currentPath: { primitives: [{ id: 'tool.browser', minLevel: 'L3', evidence: 'log in | then read' }] },
        alternativePaths: [{ primitives: [{ id: 'tool.browser', minLevel: 'L2', evidence: 'use the public page' }], note: 'the public status page has the numbers' }],
      },
    ],
  };
  const prompt = rewriteUserPrompt({
    model: 'm',
    harness: 'h',
    skillContent: '# S\n```\ncode\n```\n',
    scr,
    gaps: [{ purposeId: 'browse', primitiveId: 'tool.browser', requiredLevel: 'L2', modelLevel: 'L0', gapType: 'missing' }],
    alternatives: [{ purposeId: 'browse', path: 0, note: 'the public status page has the numbers' }],
    evidence: { byPrimitive: new Map(), copiedBytes: 0, refused: 0 },
    bundle: { files: [], notInlined: [] },
  });

  it('quotes the skill safely and takes the requirement from the chosen alternative path', () => {
    expect(prompt).toContain('````markdown\n# S\n```\ncode\n```\n````');
    expect(prompt).toContain('| tool.browser | L2 | L0 | missing | browse | use the public page |');
    expect(prompt).toContain('**Better path**: this purpose is better served by another way the skill allows (the public status page has the numbers)');
  });

  it('says when a step has no known degradation, and marks the levels', () => {
    expect(prompt).toContain('- L2->L1: no way to ask for less is known; substitute another way');
    expect(prompt).toMatch(/- L2: .* ← required/);
    expect(prompt).toContain('No level results recorded for this primitive.');
    expect(prompt).not.toContain('## Bundled files');
  });

  it('the repair message lists each violation', () => {
    expect(repairMessage(['Frontmatter modified', 'Heading removed: "## A"'])).toMatch(/- Frontmatter modified\n- Heading removed: "## A"\n/);
  });
});
