import { existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDirs } from '../../../../../test/tmp.js';
import { loadSkill } from '../../../skills/load.js';
import { appendInjected, INJECTED_SENTINEL, installSkills, skillLoaded } from './skills.js';

const tmp = tempDirs('skvm-cli-skills-');

describe('installSkills', () => {
  it('SKILL.md with its bundle files beside it; a symlink leading out of the skill folder is not followed', async () => {
    const src = path.join(tmp(), 'csv-report');
    mkdirSync(path.join(src, 'scripts'), { recursive: true });
    writeFileSync(path.join(src, 'SKILL.md'), '---\nname: csv-report\ndescription: CSV to markdown\n---\nRun scripts/report.py.\n');
    writeFileSync(path.join(src, 'scripts', 'report.py'), 'print("report")\n');
    const outside = path.join(tmp(), 'secret.txt');
    writeFileSync(outside, 'SECRET');
    symlinkSync(outside, path.join(src, 'leak.txt'));
    const skill = await loadSkill(src);

    const workDir = tmp();
    const dest = path.join(workDir, '.claude', 'skills');
    expect(await installSkills(workDir, path.join('.claude', 'skills'), [skill])).toEqual([path.join(dest, 'csv-report')]);
    expect(readFileSync(path.join(dest, 'csv-report', 'SKILL.md'), 'utf8')).toBe(skill.content);
    expect(readFileSync(path.join(dest, 'csv-report', 'scripts', 'report.py'), 'utf8')).toBe('print("report")\n');
    expect(existsSync(path.join(dest, 'csv-report', 'leak.txt'))).toBe(false);
  });

  it('a SKILL.md without front matter gets one, so the harness can list it', async () => {
    const dest = tmp();
    await installSkills(dest, '.', [{ name: 'plain', description: 'A "plain" skill', dir: '/nonexistent', skillMdPath: '/nonexistent/SKILL.md', content: '# Plain\nDo it.', frontMatter: {}, files: [], contentHash: '0' }]);
    expect(readFileSync(path.join(dest, 'plain', 'SKILL.md'), 'utf8')).toBe('---\nname: plain\ndescription: "A \\"plain\\" skill"\n---\n\n# Plain\nDo it.');
  });
});

describe('delivery never writes through a link planted in the work dir', () => {
  const plain = { name: 'plain', description: 'd', dir: '/nonexistent', skillMdPath: '/nonexistent/SKILL.md', content: '# Plain\nDo it.', frontMatter: {}, files: [], contentHash: '0' };

  it('appendInjected keeps what the task wrote and refuses an AGENTS.md that is a link (the target is untouched)', async () => {
    const workDir = tmp();
    writeFileSync(path.join(workDir, 'AGENTS.md'), 'Task notes.');
    await appendInjected(workDir, 'AGENTS.md', [plain]);
    expect(readFileSync(path.join(workDir, 'AGENTS.md'), 'utf8')).toBe(`Task notes.\n\n${INJECTED_SENTINEL}\n\n# Plain\nDo it.\n`);

    const victim = path.join(tmp(), 'root-file.txt');
    writeFileSync(victim, 'untouched');
    const planted = tmp();
    symlinkSync(victim, path.join(planted, 'AGENTS.md'));
    await expect(appendInjected(planted, 'AGENTS.md', [plain])).rejects.toThrow();
    expect(readFileSync(victim, 'utf8')).toBe('untouched');
  });

  it('installSkills refuses a skills folder that is a link out of the work dir', async () => {
    const outside = tmp();
    const workDir = tmp();
    mkdirSync(path.join(workDir, '.claude'));
    symlinkSync(outside, path.join(workDir, '.claude', 'skills'));
    await expect(installSkills(workDir, path.join('.claude', 'skills'), [plain])).rejects.toThrow();
    expect(existsSync(path.join(outside, 'plain'))).toBe(false);
  });
});

describe('skillLoaded', () => {
  const skills = [{ name: 'a' }, { name: 'b' }] as Parameters<typeof skillLoaded>[1];
  it('inject: the harness answered at all; discover: it loaded one of the skills', () => {
    expect(skillLoaded('inject', skills, { anyOutput: true, skillsLoaded: [] })).toBe(true);
    expect(skillLoaded('inject', skills, { anyOutput: false, skillsLoaded: [] })).toBe(false);
    expect(skillLoaded('discover', skills, { anyOutput: true, skillsLoaded: ['other'] })).toBe(false);
    expect(skillLoaded('discover', skills, { anyOutput: true, skillsLoaded: ['b'] })).toBe(true);
  });
});
