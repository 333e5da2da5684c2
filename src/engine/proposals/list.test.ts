import { mkdtempSync, rmSync } from 'node:fs';
import { promises as fsp } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { makeProposal } from '../../../test/proposals.js';
import { listProposals, timestampToIso } from './list.js';
import { markProposalFailed } from './storage.js';

const base = mkdtempSync(path.join(os.tmpdir(), 'skvm-proposals-list-'));
afterAll(() => rmSync(base, { recursive: true, force: true }));

describe('listProposals', () => {
  it('lists newest first with Δ train, filters, and skips unreadable metas', async () => {
    const older = await makeProposal(base, { at: new Date('2026-04-01T00:00:00.000Z') });
    const newer = await makeProposal(path.join(base, 'b'), { at: new Date('2026-04-02T00:00:00.000Z'), targetModel: 'openrouter/qwen/qwen3.5-9b', proposalsDir: older.proposals });
    const root = older.proposals;
    const bad = path.join(root, 'jit-optimize', 'bare-agent', 'sim--target', 'my-skill', '20260403T000000000Z');
    await fsp.mkdir(bad, { recursive: true });
    await fsp.writeFile(path.join(bad, 'meta.json'), '{not json');

    const all = await listProposals(root);
    expect(all.unreadable).toBe(1);
    expect(all.proposals.map((p) => p.id)).toEqual([newer.id, older.id]);
    expect(all.proposals[0]).toMatchObject({ baselineTrain: 0.5, bestTrain: 1, deltaTrain: 0.5, createdAt: '2026-04-02T00:00:00.000Z' });

    expect((await listProposals(root, { model: 'qwen3.5' })).proposals.map((p) => p.id)).toEqual([newer.id]);
    expect((await listProposals(root, { model: 'openrouter/qwen' })).proposals.map((p) => p.id)).toEqual([newer.id]);
    expect((await listProposals(root, { harness: 'opencode' })).proposals).toEqual([]);
    expect((await listProposals(root, { skill: 'my-skill', status: 'pending' })).proposals).toHaveLength(2);
    await markProposalFailed(older.dir, 'boom');
    expect((await listProposals(root, { status: 'failed' })).proposals.map((p) => p.id)).toEqual([older.id]);
    expect((await listProposals(path.join(base, 'nothing-here'))).proposals).toEqual([]);
  });

  it('reads timestamps, collision suffix included', () => {
    expect(timestampToIso('20260410T124408123Z-2')).toBe('2026-04-10T12:44:08.123Z');
  });
});
