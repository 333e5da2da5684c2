import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeFakeHome, type FakeSession } from '../../../test/transcript-home.js';
import { tempDirs } from '../../../test/tmp.js';
import { discoverTranscripts } from './index.js';

const tmp = tempDirs('skvm-discover-');

const SESSIONS: FakeSession[] = [
  { harness: 'claude-code', cwd: '/work/alpha', prompt: 'Fix the failing test in alpha', skill: 'slug-rules' },
  { harness: 'codex', cwd: '/work/beta', prompt: 'Summarise the beta logs', skill: 'log-triage' },
  { harness: 'claude-code', cwd: '/work/alpha/sub', prompt: 'x'.repeat(500) },
  { harness: 'codex', cwd: '/work/alphabet', prompt: 'Sort the alphabet' },
  { harness: 'claude-code', cwd: '/work/beta', prompt: 'Triage beta again', skill: 'log-triage' },
];

describe('discoverTranscripts', () => {
  it('lists Claude Code and Codex sessions newest first with project, first prompt, size and skills', async () => {
    const home = tmp();
    const files = await writeFakeHome(home, SESSIONS);
    const all = await discoverTranscripts({ home });
    expect(all.map((s) => s.path)).toEqual(files);
    expect(all[0]).toMatchObject({ harness: 'claude-code', project: '/work/alpha', firstPrompt: 'Fix the failing test in alpha', skillsLoaded: ['slug-rules'], sessionId: '00000000-0000-4000-8000-000000000000' });
    expect(all[0]!.sizeBytes).toBe((await fsp.stat(files[0]!)).size);
    expect(all[1]).toMatchObject({ harness: 'codex', project: '/work/beta', firstPrompt: 'Summarise the beta logs', skillsLoaded: ['log-triage'] });
    expect(all[2]!.firstPrompt).toHaveLength(200);
    expect(all[2]!.firstPrompt!.endsWith('…')).toBe(true);
    expect(all[3]!.skillsLoaded).toEqual([]);
    expect(Date.parse(all[0]!.modifiedAt)).toBeGreaterThan(Date.parse(all[4]!.modifiedAt));
  });

  it('filters by project (the directory and inside it, not a name prefix), harness, skill, and honours limit', async () => {
    const home = tmp();
    await writeFakeHome(home, SESSIONS);
    const cwds = async (o: Parameters<typeof discoverTranscripts>[0]) => (await discoverTranscripts({ home, ...o })).map((s) => s.project);
    expect(await cwds({ project: '/work/alpha' })).toEqual(['/work/alpha', '/work/alpha/sub']);
    expect(await cwds({ project: '/work/beta/' })).toEqual(['/work/beta', '/work/beta']);
    expect(await cwds({ harness: 'codex' })).toEqual(['/work/beta', '/work/alphabet']);
    expect(await cwds({ skill: 'log-triage' })).toEqual(['/work/beta', '/work/beta']);
    expect(await cwds({ skill: 'log-triage', harness: 'claude-code' })).toEqual(['/work/beta']);
    expect(await cwds({ limit: 2 })).toEqual(['/work/alpha', '/work/beta']);
    expect(await cwds({ project: '/elsewhere' })).toEqual([]);
  });

  it('the skill filter also finds a skill loaded past the head of a long session', async () => {
    const home = tmp();
    const [file] = await writeFakeHome(home, [{ harness: 'claude-code', cwd: '/work/long', prompt: 'A long session' }]);
    const filler = `${JSON.stringify({ type: 'progress', sessionId: 'x', data: 'y'.repeat(10_000) })}\n`;
    const lateLoad = { type: 'assistant', sessionId: 'x', isSidechain: false, message: { id: 'late', role: 'assistant', content: [{ type: 'tool_use', id: 'toolu_late', name: 'Skill', input: { skill: 'late-skill' } }] } };
    await fsp.appendFile(file!, filler.repeat(60) + `${JSON.stringify(lateLoad)}\n`);
    const [s] = await discoverTranscripts({ home, skill: 'late-skill' });
    expect(s).toMatchObject({ path: file, skillsLoaded: ['late-skill'] });
    expect((await discoverTranscripts({ home }))[0]!.skillsLoaded).toEqual([]); // listing reads heads only
    expect(await discoverTranscripts({ home, skill: 'other-skill' })).toEqual([]);
  });

  it('the skill search finds a name that straddles two 1 MiB reads', async () => {
    const home = tmp();
    const [file] = await writeFakeHome(home, [{ harness: 'claude-code', cwd: '/work/edge', prompt: 'Edge' }]);
    const late = JSON.stringify({ type: 'assistant', sessionId: 'x', message: { id: 'e', role: 'assistant', content: [{ type: 'tool_use', id: 't', name: 'Skill', input: { skill: 'edge-skill' } }] } });
    const before = late.indexOf('edge-skill');
    const size = (await fsp.stat(file!)).size;
    const wrapper = JSON.stringify({ type: 'progress', data: '' }).length + 1;
    const pad = 1024 * 1024 - 4 - size - before - wrapper;
    await fsp.appendFile(file!, `${JSON.stringify({ type: 'progress', data: 'y'.repeat(pad) })}\n${late}\n`);
    expect((await fsp.readFile(file!, 'utf8')).indexOf('edge-skill')).toBe(1024 * 1024 - 4);
    expect(await discoverTranscripts({ home, skill: 'edge-skill' })).toHaveLength(1);
  });

  it('an empty or missing home is an empty list; stray files are ignored', async () => {
    const home = tmp();
    expect(await discoverTranscripts({ home })).toEqual([]);
    await fsp.mkdir(path.join(home, '.codex/sessions/2026'), { recursive: true });
    await fsp.writeFile(path.join(home, '.codex/sessions/2026/notes.jsonl'), '{}\n');
    await fsp.mkdir(path.join(home, '.claude/projects/-x'), { recursive: true });
    await fsp.writeFile(path.join(home, '.claude/projects/-x/readme.txt'), 'hi');
    expect(await discoverTranscripts({ home })).toEqual([]);
  });

  it('reads only the head of each session: a huge session is summarised from its first lines', async () => {
    const home = tmp();
    const [file] = await writeFakeHome(home, [SESSIONS[0]!]);
    const filler = `${JSON.stringify({ type: 'progress', sessionId: 'x', data: 'y'.repeat(10_000) })}\n`;
    await fsp.appendFile(file!, filler.repeat(300)); // ~3 MB beyond the head
    const [s] = await discoverTranscripts({ home });
    expect(s).toMatchObject({ firstPrompt: 'Fix the failing test in alpha', skillsLoaded: ['slug-rules'] });
    expect(s!.sizeBytes).toBeGreaterThan(3_000_000);
  });
});
