import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeProposal, type MadeProposal } from '../proposals.js';
import { treeSnapshot } from '../tree.js';
import { connect, removeDir, tempDir, textOf, type Connected } from './harness.js';

/**
 * Proposals through the built server and the official client: tools (list, show, diff, accept,
 * reject, rollback), their annotations, the three resource templates with completion, and the
 * refusals at accept (a symlink in a round, a path-escaping file name). The proposal trees are
 * made with the store API under the server's cache.
 */

type Result = { isError?: boolean; structuredContent?: Record<string, any>; content?: unknown };

describe('proposals over stdio', () => {
  let cache: string;
  let conn: Connected;
  let p: MadeProposal;
  let symlinked: MadeProposal;
  let escaping: MadeProposal;
  let listChanged = 0;
  const call = async (name: string, args: Record<string, unknown>) => (await conn.client.callTool({ name, arguments: args })) as Result;

  beforeAll(async () => {
    cache = tempDir('e2e-proposals');
    const proposalsDir = path.join(cache, 'proposals');
    p = await makeProposal(path.join(cache, 'a'), { proposalsDir, at: new Date('2026-05-01T00:00:00.000Z') });
    symlinked = await makeProposal(path.join(cache, 'b'), { proposalsDir, skillName: 'linked', at: new Date('2026-05-02T00:00:00.000Z') });
    await fsp.symlink('/etc/hostname', path.join(symlinked.dir, 'round-1', 'hostname'));
    escaping = await makeProposal(path.join(cache, 'c'), { proposalsDir, skillName: 'escaping', at: new Date('2026-05-03T00:00:00.000Z') });
    await fsp.writeFile(path.join(escaping.dir, 'round-1', '..\\..\\evil.md'), 'x');
    conn = await connect({ era: 'legacy', cache });
    conn.client.setNotificationHandler('notifications/resources/list_changed', () => void listChanged++);
  });
  afterAll(async () => {
    await conn?.close();
    removeDir(cache);
  });

  it('annotates accept and rollback destructive, reject idempotent, the rest read-only', async () => {
    const tools = Object.fromEntries((await conn.client.listTools()).tools.map((t) => [t.name, t.annotations]));
    expect(tools.proposal_accept).toMatchObject({ destructiveHint: true, readOnlyHint: false, idempotentHint: false });
    expect(tools.proposal_rollback).toMatchObject({ destructiveHint: true, readOnlyHint: false });
    expect(tools.proposal_reject).toMatchObject({ destructiveHint: false, readOnlyHint: false, idempotentHint: true });
    for (const name of ['proposals_list', 'proposal_show', 'proposal_diff']) expect(tools[name], name).toMatchObject({ readOnlyHint: true });
  });

  it('lists, shows and diffs a proposal, also as resources with completion', async () => {
    const list = await call('proposals_list', { skill: 'my-skill' });
    expect(list.isError, textOf(list)).toBeFalsy();
    expect(list.structuredContent).toMatchObject({ total: 1, proposals: [{ id: p.id, status: 'pending', bestRound: 1, rounds: 3, deltaTrain: 0.5 }] });
    expect((await call('proposals_list', {})).structuredContent!.proposals.map((r: { id: string }) => r.id)).toEqual([escaping.id, symlinked.id, p.id]);

    const show = await call('proposal_show', { id: p.id });
    expect(show.structuredContent).toMatchObject({ judgeModel: 'sim/judge', optimizerModel: 'sim/optimizer', bestRound: 1, best: { changedFiles: ['SKILL.md', 'docs/new.md', 'scripts/old.sh'] } });
    expect(show.structuredContent!.evidence).toContainEqual({ round: 'round-1', set: 'train', runs: 2, passed: 2, tainted: 0, meanScore: 1 });
    expect(textOf(show)).toMatch(/judge: sim\/judge/);

    const diff = await call('proposal_diff', { id: p.id });
    expect(diff.structuredContent!.files.map((f: { path: string; change: string }) => `${f.change} ${f.path}`)).toEqual(['modified SKILL.md', 'modified assets/logo.bin', 'added docs/new.md', 'deleted scripts/old.sh']);
    expect(diff.structuredContent!.patch).toContain('+new text');

    const uri = show.structuredContent!.uri as string;
    expect((await conn.client.listResources()).resources.map((r) => r.uri)).toContain(uri);
    const body = JSON.parse(((await conn.client.readResource({ uri })).contents[0] as { text: string }).text);
    expect(body.meta).toMatchObject({ status: 'pending', bestRound: 1 });
    const round1 = body.roundFiles.find((r: { round: number }) => r.round === 1).files.find((f: { path: string }) => f.path === 'docs/new.md');
    expect(((await conn.client.readResource({ uri: round1.uri })).contents[0] as { text: string }).text).toBe('added\n');
    const whole = (await conn.client.readResource({ uri: `${uri}/diff?round=2` })).contents[0] as { text: string; mimeType: string };
    expect(whole).toMatchObject({ mimeType: 'text/x-diff' });
    expect(whole.text).toContain('+worse text');
    await expect(conn.client.readResource({ uri: `${uri}/rounds/1/nope.md` })).rejects.toThrow(/Unknown file of round 1/);

    const [harness, model, skill] = p.id.split('/');
    const done = await conn.client.complete({ ref: { type: 'ref/resource', uri: 'skvm://proposals/{harness}/{model}/{skill}/{timestamp}' }, argument: { name: 'timestamp', value: '2026' }, context: { arguments: { harness: harness!, model: model!, skill: skill! } } });
    expect(done.completion.values).toEqual([p.id.split('/')[3]]);
  });

  it('accept changes the skill exactly as the diff said; rollback restores it byte for byte', async () => {
    const before = treeSnapshot(p.skill);
    const preview = await call('proposal_accept', { id: p.id, dryRun: true });
    expect(preview.structuredContent).toMatchObject({ applied: false });
    expect(treeSnapshot(p.skill)).toEqual(before);

    const seen = listChanged;
    const accepted = await call('proposal_accept', { id: p.id });
    expect(accepted.isError, textOf(accepted)).toBeFalsy();
    expect(accepted.structuredContent!.changes).toEqual(preview.structuredContent!.changes);
    expect(textOf(accepted)).toMatch(/To undo: proposal_rollback/);
    expect(treeSnapshot(p.skill)).toEqual(treeSnapshot(path.join(p.dir, 'round-1')));
    expect((await call('proposal_diff', { id: p.id, against: 'deployed' })).structuredContent!.files).toEqual([]);
    await new Promise((r) => setTimeout(r, 200));
    expect(listChanged).toBeGreaterThan(seen);

    const reject = await call('proposal_reject', { id: p.id });
    expect(reject.isError).toBe(true);
    expect(textOf(reject)).toMatch(/proposal_rollback/);

    const rolled = await call('proposal_rollback', { id: p.id });
    expect(rolled.isError, textOf(rolled)).toBeFalsy();
    expect(rolled.structuredContent).toMatchObject({ status: 'pending' });
    expect(treeSnapshot(p.skill)).toEqual(before);
    expect((await call('proposal_reject', { id: p.id })).structuredContent).toMatchObject({ status: 'rejected', changed: true });
    expect((await call('proposal_reject', { id: p.id })).structuredContent).toMatchObject({ changed: false });
  });

  it('refuses a round with a symlink or a path-escaping name, touching nothing', async () => {
    for (const [made, why] of [[symlinked, /hostname: is a symlink/], [escaping, /not a plain file name/]] as const) {
      const before = treeSnapshot(path.dirname(made.skill));
      const r = await call('proposal_accept', { id: made.id, force: true });
      expect(r.isError).toBe(true);
      expect(textOf(r)).toMatch(why);
      expect(treeSnapshot(path.dirname(made.skill))).toEqual(before);
    }
    const bad = await call('proposal_show', { id: '../../../etc/x/20260501T000000000Z' });
    expect(bad.isError).toBe(true);
    expect(textOf(bad)).toMatch(/is not a proposal id/);
  });
});
