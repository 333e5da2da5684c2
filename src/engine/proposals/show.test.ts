import { mkdtempSync, promises as fsp, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { makeProposal } from '../../../test/proposals.js';
import { diffProposal } from './diff.js';
import { acceptProposal } from './deploy.js';
import { readProposalDetails } from './show.js';

const base = mkdtempSync(path.join(os.tmpdir(), 'skvm-proposals-show-'));
afterAll(() => rmSync(base, { recursive: true, force: true }));

describe('proposal details and diff', () => {
  it('summarizes rounds, history and evidence per round', async () => {
    const p = await makeProposal(base);
    const d = await readProposalDetails(p.dir);
    expect(d.schemaVersion).toBe(1);
    expect(d.roundDirs).toEqual([0, 1, 2]);
    expect(d.rounds.map((r) => r.trainScore)).toEqual([0.5, 1, 0.25]);
    expect(d.entries.find((e) => e.round === 1)?.rootCause).toMatch(/report file/);
    expect(d.evidence).toEqual({
      'round-0': [{ set: 'train', runs: 2, passed: 0, tainted: 1, meanScore: 0.5, unreadable: 0 }],
      'round-1': [{ set: 'train', runs: 2, passed: 2, tainted: 0, meanScore: 1, unreadable: 0 }],
    });
    expect(d.deployment).toBeUndefined();
  });

  it('reads a legacy proposal (no schemaVersion, no history.json) as version 0 with no rounds', async () => {
    const p = await makeProposal(path.join(base, 'legacy'), { finalize: false });
    const file = path.join(p.dir, 'meta.json');
    const { schemaVersion: _v, bestRoundReason: _r, roundCount: _c, ...legacy } = JSON.parse(await fsp.readFile(file, 'utf8'));
    await fsp.writeFile(file, JSON.stringify(legacy));
    const d = await readProposalDetails(p.dir);
    expect(d).toMatchObject({ schemaVersion: 0, rounds: [], entries: [], roundDirs: [0, 1, 2] });
    expect(d.meta).toMatchObject({ bestRoundReason: '', roundCount: 0 });
  });

  it('diffs a round against original/ and against the deployed skill', async () => {
    const p = await makeProposal(path.join(base, 'b'));
    const d = await diffProposal(p.dir, p.id);
    expect(d.round).toBe(1);
    expect(d.files).toEqual([
      { path: 'SKILL.md', change: 'modified', added: 1, removed: 1, binary: false },
      { path: 'assets/logo.bin', change: 'modified', added: 0, removed: 0, binary: true },
      { path: 'docs/new.md', change: 'added', added: 1, removed: 0, binary: false },
      { path: 'scripts/old.sh', change: 'deleted', added: 0, removed: 2, binary: false },
    ]);
    expect(d.patch).toContain('--- a/SKILL.md\n+++ b/SKILL.md\n');
    expect(d.patch).toContain('-old text\n+new text\n');
    expect(d.patch).toContain('Binary files a/assets/logo.bin and b/assets/logo.bin differ');
    expect((await diffProposal(p.dir, p.id, { round: 0 })).files).toEqual([]);
    expect((await diffProposal(p.dir, p.id, { round: 2 })).patch).toContain('+worse text');
    await acceptProposal(p.dir, p.id);
    expect((await diffProposal(p.dir, p.id, { against: 'deployed' })).files).toEqual([]);
    expect((await diffProposal(p.dir, p.id, { round: 2, against: 'deployed' })).files.map((f) => f.path)).toEqual(['SKILL.md']);
    await expect(diffProposal(p.dir, p.id, { round: 9 })).rejects.toThrow(/no round 9/);
  });
});
