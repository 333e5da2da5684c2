import { mkdirSync } from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireUpstream } from '../upstream.js';
import { connect, ERAS, removeDir, tempDir, type Connected } from './harness.js';

/** The MCP prompts as a host sees them: listed, expanded with arguments, completed, and refused when the arguments are wrong. */

const UPSTREAM = requireUpstream();

type Text = { type: string; text?: string };

describe.each(ERAS)('MCP prompts as a %s client', (era) => {
  let cache: string;
  let conn: Connected;

  beforeAll(async () => {
    cache = tempDir(`prompts-${era}`);
    // A proposal's folder (spec runtime §7.1), so its skill is offered for completion.
    mkdirSync(path.join(cache, 'proposals/jit-optimize/claude-code/anthropic--claude-sonnet-4.6/my-team-skill/20260101T000000000Z'), { recursive: true });
    conn = await connect({ era, cache });
  });

  afterAll(async () => {
    await conn?.close();
    removeDir(cache);
  });

  async function textOfPrompt(name: string, args: Record<string, string>): Promise<string> {
    const r = await conn.client.getPrompt({ name, arguments: args });
    expect(r.messages).toHaveLength(1);
    expect(r.messages[0]!.role).toBe('user');
    return (r.messages[0]!.content as Text).text ?? '';
  }

  it('lists the three prompts with their arguments', async () => {
    const { prompts } = await conn.client.listPrompts();
    const byName = Object.fromEntries(prompts.map((p) => [p.name, p]));
    expect(Object.keys(byName)).toEqual(['optimize_skill_from_session', 'review_proposals', 'explain_profile_for_skill']);
    const args = (name: string) => (byName[name]!.arguments ?? []).map((a) => `${a.name}${a.required ? '' : '?'}`);
    expect(args('optimize_skill_from_session')).toEqual(['skill', 'transcript?', 'targetModel?']);
    expect(args('review_proposals')).toEqual(['skill?', 'status?']);
    expect(args('explain_profile_for_skill')).toEqual(['model', 'harness?', 'skill']);
    for (const p of prompts) {
      expect(p.title).toBeTruthy();
      expect(p.description!.length).toBeGreaterThan(40);
      for (const a of p.arguments ?? []) expect(a.description, `${p.name}.${a.name}`).toBeTruthy();
    }
  });

  it('expands each prompt into instructions that use the tools, with the arguments filled in', async () => {
    const latest = await textOfPrompt('optimize_skill_from_session', { skill: 'log-triage' });
    expect(latest).toMatch(/`transcripts_list`[\s\S]*"log-triage"[\s\S]*`jit_optimize`[\s\S]*source `log`[\s\S]*`proposal_diff`[\s\S]*`proposal_accept`[\s\S]*`proposal_rollback`/);
    expect(latest).toMatch(/never call `proposal_accept` without my explicit yes/);
    const given = await textOfPrompt('optimize_skill_from_session', { skill: 'skills/log-triage', transcript: '/tmp/s.jsonl', targetModel: 'anthropic/claude-haiku-4.5' });
    expect(given).toContain('`/tmp/s.jsonl`');
    expect(given).toContain('The skill folder is `skills/log-triage`');
    expect(given).toContain('target model `anthropic/claude-haiku-4.5`');
    expect(given).not.toContain('transcripts_list');

    expect(await textOfPrompt('review_proposals', {})).toMatch(/`proposals_list` with status `pending`/);
    expect(await textOfPrompt('review_proposals', { skill: 'log-triage', status: 'infra-blocked' })).toMatch(/skill `log-triage` and status `infra-blocked`/);

    const explain = await textOfPrompt('explain_profile_for_skill', { model: 'openrouter/qwen/qwen3.5-9b', skill: 'slug-rules' });
    expect(explain).toMatch(/`profile_show` with model `openrouter\/qwen\/qwen3\.5-9b`[\s\S]*skvm:\/\/skills\/slug-rules[\s\S]*`compile`/);
  });

  it('refuses bad arguments with an error naming the prompt and the argument', async () => {
    await expect(conn.client.getPrompt({ name: 'optimize_skill_from_session', arguments: {} })).rejects.toThrow(/Invalid arguments for prompt optimize_skill_from_session[\s\S]*skill/);
    await expect(conn.client.getPrompt({ name: 'review_proposals', arguments: { status: 'done' } })).rejects.toThrow(/review_proposals[\s\S]*status/);
    await expect(conn.client.getPrompt({ name: 'review_proposals', arguments: { skil: 'x' } })).rejects.toThrow(/review_proposals[\s\S]*skil/);
    await expect(conn.client.getPrompt({ name: 'explain_profile_for_skill', arguments: { model: ' ', skill: 'slug-rules' } })).rejects.toThrow(/model/);
    await expect(conn.client.getPrompt({ name: 'no_such_prompt', arguments: {} })).rejects.toThrow(/no_such_prompt/);
  });

  it('completes skills from the dataset and from proposals, models from the profile cache, and statuses', async () => {
    const complete = async (prompt: string, argument: string, value: string, context?: Record<string, string>) =>
      (await conn.client.complete({ ref: { type: 'ref/prompt', name: prompt }, argument: { name: argument, value }, ...(context ? { context: { arguments: context } } : {}) })).completion.values;
    expect(await complete('optimize_skill_from_session', 'skill', 'slug')).toEqual(['slug-rules']);
    expect(await complete('review_proposals', 'skill', 'my-')).toEqual(['my-team-skill']);
    expect(await complete('review_proposals', 'status', 'in')).toEqual(['infra-blocked']);
    expect(await complete('explain_profile_for_skill', 'model', 'openrouter/qwen')).toEqual([]);

    const imported = await conn.client.callTool({ name: 'profiles_import', arguments: { source: path.join(UPSTREAM, 'profiles') } });
    expect(imported.isError).toBeFalsy();
    const models = await complete('explain_profile_for_skill', 'model', 'openrouter/qwen/qwen3.5', { harness: 'bare-agent' });
    expect(models).toContain('openrouter/qwen/qwen3.5-9b');
    expect(models.every((m) => m.startsWith('openrouter/qwen/qwen3.5'))).toBe(true);
    expect(await complete('explain_profile_for_skill', 'harness', 'bare')).toEqual(['bare-agent']);
  });
});
