import { mkdtempSync, rmSync } from 'node:fs';
import { promises as fsp } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { acceptProposal, activeDeployment, rejectProposal, rollbackProposal } from './deploy.js';
import { markProposalFailed, readProposalMeta, updateProposalMeta } from './storage.js';
import { makeProposal } from '../../../test/proposals.js';
import { treeSnapshot } from '../../../test/tree.js';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'skvm-proposals-deploy-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
let n = 0;

async function setup() {
  const made = await makeProposal(path.join(tmp, `case-${n++}`));
  return { skill: made.skill, p: made };
}

const snapshot = async (dir: string) => treeSnapshot(dir);

describe('accept and rollback', () => {
  it('previews, applies additions, modifications and deletions, and rolls back byte-identically', async () => {
    const { skill, p } = await setup();
    const before = await snapshot(skill);

    const preview = await acceptProposal(p.dir, p.id, { dryRun: true });
    expect(preview.applied).toBe(false);
    expect(preview.changes).toEqual([
      { path: 'SKILL.md', change: 'modified' },
      { path: 'assets/logo.bin', change: 'modified' },
      { path: 'docs/new.md', change: 'added' },
      { path: 'scripts/old.sh', change: 'deleted' },
    ]);
    expect(await snapshot(skill)).toEqual(before);

    const steps: string[] = [];
    const accepted = await acceptProposal(p.dir, p.id, { onStep: (_d, _t, rel) => void steps.push(rel) });
    expect(accepted).toMatchObject({ applied: true, round: 1, deployment: 1 });
    expect(steps.sort()).toEqual(['SKILL.md', 'assets/logo.bin', 'docs/new.md', 'scripts/old.sh']);
    // The skill now equals round-1 exactly.
    expect(await snapshot(skill)).toEqual(await snapshot(path.join(p.dir, 'round-1')));
    expect((await fsp.stat(path.join(skill, 'SKILL.md'))).mode & 0o777).toBe(0o644);
    expect(await readProposalMeta(p.dir)).toMatchObject({ status: 'accepted', acceptedRound: 1 });
    // Backups live inside the proposal, none beside the skill's files.
    expect((await fsp.readdir(path.join(p.dir, 'deploy', '1', 'backup'))).sort()).toEqual(['SKILL.md', 'assets', 'scripts']);
    expect(Object.keys(await snapshot(path.dirname(skill))).filter((k) => k.includes('.bak'))).toEqual([]);
    const manifest = await activeDeployment(p.dir);
    expect(manifest?.files.find((f) => f.path === 'docs/new.md')).toMatchObject({ change: 'added', sha256Before: null });
    expect(manifest?.files.find((f) => f.path === 'scripts/old.sh')).toMatchObject({ change: 'deleted', sha256After: null, modeBefore: 0o755 });

    await expect(acceptProposal(p.dir, p.id)).rejects.toThrow(/already accepted.*/);
    await expect(rejectProposal(p.dir, p.id)).rejects.toMatchObject({ hint: expect.stringMatching(/proposal_rollback/) });

    const rolled = await rollbackProposal(p.dir, p.id);
    expect(rolled.files).toEqual([
      { path: 'SKILL.md', action: 'restored' },
      { path: 'assets/logo.bin', action: 'restored' },
      { path: 'docs/new.md', action: 'removed' },
      { path: 'scripts/old.sh', action: 'restored' },
    ]);
    expect(await snapshot(skill)).toEqual(before);
    expect((await fsp.stat(path.join(skill, 'scripts/old.sh'))).mode & 0o777).toBe(0o755);
    expect(await readProposalMeta(p.dir)).toMatchObject({ status: 'pending', acceptedRound: null });
    const manifestFile = JSON.parse(await fsp.readFile(path.join(p.dir, 'deploy', '1', 'manifest.json'), 'utf8'));
    expect(manifestFile.state).toBe('rolled-back');
    expect(manifestFile.history.map((h: { action: string }) => h.action)).toEqual(['accept', 'rollback']);
    await expect(rollbackProposal(p.dir, p.id)).rejects.toThrow(/not deployed/);

    // Accept again after rollback: a second deployment.
    expect((await acceptProposal(p.dir, p.id)).deployment).toBe(2);
  });

  it('is all or nothing: a failure mid-apply leaves the skill unchanged and no deployment', async () => {
    const { skill, p } = await setup();
    const before = await snapshot(skill);
    const onStep = (done: number) => {
      if (done === 3) throw new Error('disk full (injected)');
    };
    await expect(acceptProposal(p.dir, p.id, { onStep })).rejects.toThrow(/injected/);
    expect(await snapshot(skill)).toEqual(before);
    expect(await readProposalMeta(p.dir)).toMatchObject({ status: 'pending', acceptedRound: null });
    expect(await fsp.readdir(path.join(p.dir, 'deploy'))).toEqual([]);
  });

  it('cancelling mid-apply undoes what was done', async () => {
    const { skill, p } = await setup();
    const before = await snapshot(skill);
    const ac = new AbortController();
    await expect(acceptProposal(p.dir, p.id, { signal: ac.signal, onStep: (done) => void (done === 2 && ac.abort()) })).rejects.toThrow();
    expect(await snapshot(skill)).toEqual(before);
    expect(await readProposalMeta(p.dir)).toMatchObject({ status: 'pending' });
  });

  it('rollback is all or nothing too', async () => {
    const { skill, p } = await setup();
    await acceptProposal(p.dir, p.id);
    const deployed = await snapshot(skill);
    await expect(rollbackProposal(p.dir, p.id, { onStep: (d) => { if (d === 2) throw new Error('injected'); } })).rejects.toThrow(/injected/);
    expect(await snapshot(skill)).toEqual(deployed);
    expect(await readProposalMeta(p.dir)).toMatchObject({ status: 'accepted' });
  });

  it('refuses when the skill changed since the proposal was made, unless forced', async () => {
    const { skill, p } = await setup();
    await fsp.writeFile(path.join(skill, 'keep.md'), 'edited by hand\n');
    await expect(acceptProposal(p.dir, p.id)).rejects.toThrow(/changed since proposal .* was made \(modified keep\.md\)/);
    const forced = await acceptProposal(p.dir, p.id, { force: true });
    expect(forced.drift).toEqual([{ path: 'keep.md', change: 'modified' }]);
    // The hand edit is not part of the round's changes, so it stays.
    expect(await fsp.readFile(path.join(skill, 'keep.md'), 'utf8')).toBe('edited by hand\n');
    expect(await fsp.readFile(path.join(skill, 'SKILL.md'), 'utf8')).toBe('# Skill\nnew text\n');
  });

  it('refuses rollback when deployed files changed since accept, unless forced (keeping them in pre-rollback/)', async () => {
    const { skill, p } = await setup();
    await acceptProposal(p.dir, p.id);
    await fsp.writeFile(path.join(skill, 'docs/new.md'), 'edited after accept\n');
    await expect(rollbackProposal(p.dir, p.id)).rejects.toThrow(/changed since accept: docs\/new\.md/);
    const r = await rollbackProposal(p.dir, p.id, { force: true });
    expect(r.drift).toEqual(['docs/new.md']);
    expect(await fsp.readFile(path.join(p.dir, 'deploy', '1', 'pre-rollback', 'docs', 'new.md'), 'utf8')).toBe('edited after accept\n');
  });

  it('refuses a round holding a symlink, and touches nothing', async () => {
    const { skill, p } = await setup();
    await fsp.symlink('/etc/passwd', path.join(p.dir, 'round-1', 'passwd'));
    const before = await snapshot(skill);
    await expect(acceptProposal(p.dir, p.id)).rejects.toThrow(/round 1 .*passwd: is a symlink/);
    expect(await snapshot(skill)).toEqual(before);
  });

  it('refuses a symlink inside the target skill', async () => {
    const { skill, p } = await setup();
    await fsp.symlink(path.join(tmp), path.join(skill, 'docs'));
    await expect(acceptProposal(p.dir, p.id, { force: true })).rejects.toThrow(/target skill folder .*docs: is a symlink/);
  });

  it('refuses a round file whose name is a path escape ("..\\..\\x")', async () => {
    const { skill, p } = await setup();
    await fsp.writeFile(path.join(p.dir, 'round-1', '..\\..\\evil.md'), 'x');
    await expect(acceptProposal(p.dir, p.id)).rejects.toThrow(/not a plain file name/);
    expect(await fsp.readdir(path.dirname(skill))).toEqual(['my-skill']);
  });

  it('refuses infra-blocked and failed proposals before touching files', async () => {
    const { p } = await setup();
    await updateProposalMeta(p.dir, { status: 'infra-blocked', blockedReason: 'all-tainted' });
    await expect(acceptProposal(p.dir, p.id)).rejects.toThrow(/infra-blocked \(all-tainted\)/);
    const q = await setup();
    await markProposalFailed(q.p.dir, 'optimizer crashed');
    await expect(acceptProposal(q.p.dir, q.p.id)).rejects.toThrow(/failed \(optimizer crashed\)/);
    await expect(rejectProposal(q.p.dir, q.p.id)).rejects.toThrow(/never used/);
  });

  it('rejects idempotently; a rejected proposal is accepted only with force; round 0 and missing rounds are refused', async () => {
    const { p } = await setup();
    await expect(acceptProposal(p.dir, p.id, { round: 0 })).rejects.toThrow(/original skill/);
    await expect(acceptProposal(p.dir, p.id, { round: 7 })).rejects.toThrow(/no round 7/);
    expect((await rejectProposal(p.dir, p.id)).changed).toBe(true);
    expect((await rejectProposal(p.dir, p.id)).changed).toBe(false);
    await expect(acceptProposal(p.dir, p.id)).rejects.toThrow(/was rejected/);
    expect((await acceptProposal(p.dir, p.id, { force: true })).applied).toBe(true);
  });
});
