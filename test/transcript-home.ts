import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import { TRANSCRIPT_FIXTURES } from './transcript-fixtures.js';

/**
 * A fake home directory holding Claude Code and Codex sessions as the CLIs lay them out, built
 * from the fixtures with their cwd, prompt and skill rewritten, and modification times set so
 * the newest-first order is known: sessions[0] is the newest.
 */
export interface FakeSession {
  harness: 'claude-code' | 'codex';
  cwd: string;
  prompt: string;
  /** Skill the session loads, or none. */
  skill?: string;
}

export async function writeFakeHome(home: string, sessions: FakeSession[]): Promise<string[]> {
  const claude = await fsp.readFile(path.join(TRANSCRIPT_FIXTURES, 'claude-code-documented/session.jsonl'), 'utf8');
  const codex = await fsp.readFile(path.join(TRANSCRIPT_FIXTURES, 'codex-documented/rollout.jsonl'), 'utf8');
  const now = Date.now();
  const files: string[] = [];
  for (const [i, s] of sessions.entries()) {
    const id = `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`;
    const source = s.harness === 'claude-code' ? claude : codex;
    const oldPrompt = s.harness === 'claude-code' ? 'Use the slug-rules skill to slugify title.txt into slug.txt' : 'Slugify the title in title.txt with the slug-rules skill; write slug.txt.';
    const text = source
      .split(oldPrompt).join(s.prompt)
      .split('/work/demo').join(s.cwd)
      .split('0b9c7d52-1f3e-4a6b-8c2d-4e5f6a7b8c9d').join(id)
      .split('019a1b2c-3d4e-7f60-8a9b-0c1d2e3f4a5b').join(id)
      .split('slug-rules').join(s.skill ?? 'no-skill-here')
      .split(s.harness === 'claude-code' ? '"name":"Skill"' : 'SKILL.md').join(s.skill ? (s.harness === 'claude-code' ? '"name":"Skill"' : 'SKILL.md') : s.harness === 'claude-code' ? '"name":"Grep"' : 'README.md')
      .split('Base directory for this skill').join(s.skill ? 'Base directory for this skill' : 'Some directory');
    const file =
      s.harness === 'claude-code'
        ? path.join(home, '.claude/projects', s.cwd.replace(/[^A-Za-z0-9]/g, '-'), `${id}.jsonl`)
        : path.join(home, '.codex/sessions/2026/11/30', `rollout-2026-11-30T08-00-0${i}-${id}.jsonl`);
    await fsp.mkdir(path.dirname(file), { recursive: true });
    await fsp.writeFile(file, text);
    const t = new Date(now - i * 60_000);
    await fsp.utimes(file, t, t);
    files.push(file);
  }
  return files;
}
