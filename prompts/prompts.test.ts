import { describe, expect, it } from 'vitest';
import { mentionedToolNames } from '../test/tool-mentions.js';
import { operations } from '../tools/index.js';
import { prompts } from './index.js';

/** Every prompt, rendered along each of its branches (optional arguments given or not). */
const RENDERINGS: Record<string, Array<Record<string, string>>> = {
  optimize_skill_from_session: [
    { skill: 'log-triage' },
    { skill: '/home/me/.claude/skills/log-triage/', transcript: '/tmp/session.jsonl', targetModel: 'anthropic/claude-sonnet-4.6' },
  ],
  review_proposals: [{}, { skill: 'log-triage', status: 'failed' }],
  explain_profile_for_skill: [
    { model: 'openrouter/qwen/qwen3.5-9b', skill: 'slug-rules' },
    { model: 'openrouter/qwen/qwen3.5-9b', harness: 'bare-agent', skill: './skills/my-skill' },
  ],
};

/** The tools each prompt exists to drive: a prompt that stops naming them is broken. */
const MUST_MENTION: Record<string, string[]> = {
  optimize_skill_from_session: ['transcripts_list', 'jit_optimize', 'proposal_show', 'proposal_diff', 'proposal_accept', 'proposal_rollback'],
  review_proposals: ['proposals_list', 'proposal_show', 'proposal_diff', 'proposal_accept', 'proposal_reject', 'proposal_rollback'],
  explain_profile_for_skill: ['profile_show', 'profile', 'primitives_list', 'compile'],
};

const toolNames = operations.map((o) => o.name);
const oneWordTools = toolNames.filter((n) => !n.includes('_'));

function render(name: string, args: Record<string, string>): string {
  const prompt = prompts.find((p) => p.name === name)!;
  return prompt.render(prompt.args.parse(args));
}

describe('prompts', () => {
  it('have unique snake_case names, and every one is rendered below', () => {
    const names = prompts.map((p) => p.name);
    expect(new Set(names).size).toBe(names.length);
    for (const n of names) expect(n).toMatch(/^[a-z]+(_[a-z]+)+$/);
    expect(Object.keys(RENDERINGS).sort()).toEqual([...names].sort());
  });

  it('name only tools the registry has (tools/index.ts), and the ones they exist for', () => {
    for (const [name, variants] of Object.entries(RENDERINGS)) {
      const mentioned = new Set(variants.flatMap((args) => mentionedToolNames(render(name, args), oneWordTools)));
      expect([...mentioned].filter((t) => !toolNames.includes(t)), `${name} names tools that do not exist`).toEqual([]);
      for (const t of MUST_MENTION[name]!) expect(mentioned.has(t), `${name} should name ${t}`).toBe(true);
    }
  });

  it('put the arguments they were given into the instructions', () => {
    const fromPath = render('optimize_skill_from_session', RENDERINGS.optimize_skill_from_session![1]!);
    expect(fromPath).toContain('"log-triage"');
    expect(fromPath).toContain('`/tmp/session.jsonl`');
    expect(fromPath).toContain('`anthropic/claude-sonnet-4.6`');
    expect(fromPath).not.toContain('transcripts_list');
    expect(render('review_proposals', {})).toContain('status `pending`');
    expect(render('review_proposals', { status: 'failed', skill: 'x' })).toContain('skill `x` and status `failed`');
    const dataset = render('explain_profile_for_skill', RENDERINGS.explain_profile_for_skill![0]!);
    expect(dataset).toContain('`skvm://skills/slug-rules`');
    expect(dataset).toContain('call `profile` for that model,');
    const folder = render('explain_profile_for_skill', RENDERINGS.explain_profile_for_skill![1]!);
    expect(folder).toContain('harness `bare-agent`');
    expect(folder).toContain('call `profile` for that model on `bare-agent`');
    expect(folder).toContain("SKILL.md in `./skills/my-skill`");
    expect(folder).not.toContain('skvm://skills/');
    expect(render('optimize_skill_from_session', { skill: './my-skill' })).toMatch(/^The skill "my-skill"[\s\S]*The skill folder is `\.\/my-skill`/);
  });

  it('refuse arguments they do not take', () => {
    const review = prompts.find((p) => p.name === 'review_proposals')!;
    expect(review.args.safeParse({ status: 'done' }).success).toBe(false);
    expect(review.args.safeParse({ skil: 'x' }).success).toBe(false);
    const optimize = prompts.find((p) => p.name === 'optimize_skill_from_session')!;
    expect(optimize.args.safeParse({ skill: '  ' }).success).toBe(false);
  });
});
