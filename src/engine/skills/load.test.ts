import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { tempDirs } from '../../../test/tmp.js';
import { requireUpstream } from '../../../test/upstream.js';
import { NotFoundError } from '../util/errors.js';
import { DEFAULT_SKILL_DESCRIPTION, SkillLoadError, listSkillNames, listSkills, loadSkill, parseFrontMatter, resolveSkill, skillContentHash } from './load.js';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const BUNDLED = path.join(repo, 'skvm-data');
const tmp = tempDirs('skvm-skills-test-');

function write(file: string, text: string): void {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, text);
}

describe('upstream skills', () => {
  it('every upstream SKILL.md loads with its front-matter name and description', async () => {
    const root = path.join(requireUpstream(), 'skills');
    const names = readdirSync(root).filter((n) => existsSync(path.join(root, n, 'SKILL.md')));
    expect(names.length).toBe(7);
    for (const name of names) {
      const skill = await loadSkill(path.join(root, name));
      expect(skill.name).toBe(name);
      expect(skill.description).not.toBe(DEFAULT_SKILL_DESCRIPTION);
      expect(skill.description.length).toBeGreaterThan(10);
      expect(skill.contentHash).toMatch(/^[0-9a-f]{16}$/);
      expect(skill.files).toEqual([]);
      expect(skill.notes).toBeUndefined();
      expect(skill.content.startsWith('---')).toBe(true);
    }
    const listing = await listSkills(requireUpstream());
    expect(listing.problems).toEqual([]);
    expect(listing.skills.map((s) => s.name)).toEqual([...names].sort());
    // Nested YAML survives as data.
    const tp = listing.skills.find((s) => s.name === 'turing-pyramid')!;
    expect(tp.frontMatter.metadata).toMatchObject({ clawdbot: { emoji: '🔺' } });
  });
});

describe('bundled skills', () => {
  it('the three skvm-data skills load; sales-report carries its schema as a bundle file', async () => {
    const listing = await listSkills(BUNDLED);
    expect(listing.problems).toEqual([]);
    expect(listing.skills.map((s) => s.name)).toEqual(['log-triage', 'sales-report', 'slug-rules']);
    const sales = listing.skills.find((s) => s.name === 'sales-report')!;
    expect(sales.files).toEqual(['schema/sales-summary.v1.json']);
    expect(sales.dir).toBe(path.join(BUNDLED, 'skills', 'sales-report'));
    expect(sales.skillMdPath).toBe(path.join(sales.dir, 'SKILL.md'));
  });
});

describe('loadSkill', () => {
  it('reads name/description from YAML front matter and hashes the whole content', async () => {
    const dir = path.join(tmp(), 'my-skill');
    const content = '---\nname: "Fancy Name"\ndescription: Does things.\nversion: 2\n---\n# Body\n';
    write(path.join(dir, 'SKILL.md'), content);
    const skill = await loadSkill(dir);
    expect(skill).toMatchObject({ name: 'Fancy Name', description: 'Does things.', content, dir, files: [] });
    expect(skill.frontMatter).toEqual({ name: 'Fancy Name', description: 'Does things.', version: 2 });
    expect(skill.contentHash).toBe(createHash('sha256').update(content).digest('hex').slice(0, 16));
    expect(skillContentHash(content)).toBe(skill.contentHash);
  });

  it('falls back to the folder name and a generic description', async () => {
    const dir = path.join(tmp(), 'plain-skill');
    write(path.join(dir, 'SKILL.md'), '# Just a body\nno front matter\n');
    const skill = await loadSkill(dir);
    expect(skill.name).toBe('plain-skill');
    expect(skill.description).toBe(DEFAULT_SKILL_DESCRIPTION);
    expect(skill.frontMatter).toEqual({});
  });

  it('non-object front matter is treated as empty; invalid YAML falls back to name:/description: lines', async () => {
    const list = parseFrontMatter('---\n- a\n- b\n---\nbody\n');
    expect(list.data).toEqual({});
    expect(list.body).toBe('body\n');
    expect(list.notes.join()).toMatch(/not a YAML mapping/);
    expect(parseFrontMatter('---\njust a string\n---\nx').data).toEqual({});

    const broken = parseFrontMatter("---\nname: 'odd-one'\ndescription: has: too: many: colons\n  bad indent: [\n---\nthe body\n");
    expect(broken.data).toEqual({ name: 'odd-one', description: 'has: too: many: colons' });
    expect(broken.body).toBe('the body\n');
    expect(broken.notes.join()).toMatch(/not valid YAML/);

    const dir = path.join(tmp(), 'broken-yaml');
    write(path.join(dir, 'SKILL.md'), '---\nname: broken\ndescription: [unclosed\n---\nx\n');
    const skill = await loadSkill(dir);
    expect(skill.name).toBe('broken');
    expect(skill.notes?.join()).toMatch(/not valid YAML/);
  });

  it('handles CRLF files and a byte-order mark', () => {
    const fm = parseFrontMatter('\uFEFF---\r\nname: crlf\r\ndescription: ok\r\n---\r\nbody\r\n');
    expect(fm.data).toEqual({ name: 'crlf', description: 'ok' });
  });

  it('refuses ---js / ---javascript front matter and never evaluates it', async () => {
    const root = tmp();
    const marker = path.join(root, 'pwned.txt');
    const g = globalThis as Record<string, unknown>;
    delete g.__skvmPwned;
    const payload = `{ a: (globalThis.__skvmPwned = true, require('fs').writeFileSync(${JSON.stringify(marker)}, 'x'), 1) }`;
    for (const lang of ['js', 'javascript', 'JavaScript', ' js ', 'coffee']) {
      const dir = path.join(root, `evil-${lang.trim()}`);
      write(path.join(dir, 'SKILL.md'), `---${lang}\n${payload}\n---\n# Evil\n`);
      const err = await loadSkill(dir).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(SkillLoadError);
      expect((err as Error).message).toMatch(/refused; only YAML front matter is accepted/);
      expect(() => parseFrontMatter(`---${lang}\n${payload}\n---\n`)).toThrow(SkillLoadError);
    }
    expect(existsSync(marker)).toBe(false);
    expect(g.__skvmPwned).toBeUndefined();
    // Explicit YAML markers are fine.
    expect(parseFrontMatter('---yaml\nname: y\n---\n').data).toEqual({ name: 'y' });
  });

  it('lists bundle files recursively and sorted, skipping SKILL.md, .git, .DS_Store and outside symlinks', async () => {
    const root = tmp();
    const dir = path.join(root, 'bundle');
    write(path.join(dir, 'SKILL.md'), '---\nname: bundle\n---\n');
    write(path.join(dir, 'z.txt'), 'z');
    write(path.join(dir, 'a', 'b', 'deep.md'), 'deep');
    write(path.join(dir, 'a', 'SKILL.md'), 'nested SKILL.md is an ordinary file');
    write(path.join(dir, '.git', 'HEAD'), 'ref');
    write(path.join(dir, '.DS_Store'), '');
    write(path.join(dir, 'a', '.DS_Store'), '');
    write(path.join(root, 'secret.txt'), 'outside');
    mkdirSync(path.join(root, 'outside-dir'));
    write(path.join(root, 'outside-dir', 'x.txt'), 'outside');
    symlinkSync(path.join(root, 'secret.txt'), path.join(dir, 'leak.txt'));
    symlinkSync(path.join(root, 'outside-dir'), path.join(dir, 'leakdir'));
    symlinkSync('z.txt', path.join(dir, 'alias.txt'));
    symlinkSync('..', path.join(dir, 'a', 'up'));
    symlinkSync('missing', path.join(dir, 'dangling'));
    const skill = await loadSkill(dir);
    expect(skill.files).toEqual(['a/SKILL.md', 'a/b/deep.md', 'alias.txt', 'z.txt']);
    const notes = skill.notes!.join('\n');
    expect(notes).toMatch(/leak\.txt: symlink points outside/);
    expect(notes).toMatch(/leakdir: symlink points outside/);
    expect(notes).toMatch(/a\/up: symlink loop/);
    expect(notes).toMatch(/dangling: broken symlink/);
  });

  it('a .md path is that file (single-file skill); a SKILL.md path keeps its folder bundle', async () => {
    const dir = path.join(tmp(), 'folder');
    write(path.join(dir, 'notes.md'), '---\ndescription: single\n---\nbody');
    write(path.join(dir, 'SKILL.md'), '---\nname: real\n---\n');
    write(path.join(dir, 'extra.txt'), 'x');
    const single = await loadSkill(path.join(dir, 'notes.md'));
    expect(single).toMatchObject({ name: 'folder', description: 'single', files: [], skillMdPath: path.join(dir, 'notes.md') });
    const viaMd = await loadSkill(path.join(dir, 'SKILL.md'));
    expect(viaMd).toMatchObject({ name: 'real', dir, files: ['extra.txt', 'notes.md'] });
  });

  it('reports a folder without SKILL.md, a non-.md file, a missing path and a SKILL.md symlinked outside', async () => {
    const root = tmp();
    mkdirSync(path.join(root, 'empty'));
    await expect(loadSkill(path.join(root, 'empty'))).rejects.toThrow(/No SKILL\.md in/);
    write(path.join(root, 'file.txt'), 'x');
    await expect(loadSkill(path.join(root, 'file.txt'))).rejects.toThrow(/neither a skill folder nor a \.md file/);
    await expect(loadSkill(path.join(root, 'nope'))).rejects.toMatchObject({ code: 'not_found' });
    write(path.join(root, 'elsewhere.md'), '---\nname: x\n---\n');
    mkdirSync(path.join(root, 'linked'));
    symlinkSync(path.join(root, 'elsewhere.md'), path.join(root, 'linked', 'SKILL.md'));
    await expect(loadSkill(path.join(root, 'linked'))).rejects.toThrow(/symlink leading outside the skill folder/);
  });
});

describe('resolveSkill / listSkills', () => {
  it('resolves a bare name under <data>/skills, a path relative to cwd, and an absolute path', async () => {
    const byName = await resolveSkill('slug-rules', BUNDLED);
    expect(byName.name).toBe('slug-rules');
    const byRel = await resolveSkill('./skvm-data/skills/log-triage', '/nonexistent-data', { cwd: repo });
    expect(byRel.name).toBe('log-triage');
    const byAbs = await resolveSkill(path.join(BUNDLED, 'skills', 'sales-report', 'SKILL.md'), '/nonexistent-data');
    expect(byAbs.name).toBe('sales-report');
    expect(await listSkillNames(BUNDLED)).toEqual(['log-triage', 'sales-report', 'slug-rules']);
  });

  it('an unknown name is a NotFoundError listing the closest skills', async () => {
    const err = await resolveSkill('sales-reprot', BUNDLED, { cwd: tmp() }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NotFoundError);
    expect((err as NotFoundError).suggestions).toContain('sales-report');
    expect((err as NotFoundError).hint).toMatch(/sales-report/);
    const byPath = await resolveSkill('./no/such/slug-rule', BUNDLED, { cwd: tmp() }).catch((e: unknown) => e);
    expect(byPath).toBeInstanceOf(NotFoundError);
    expect((byPath as NotFoundError).suggestions).toContain('slug-rules');
  });

  it('a broken skill is reported as such, not as unknown; listSkills keeps going', async () => {
    const data = tmp();
    write(path.join(data, 'skills', 'good', 'SKILL.md'), '---\nname: good\n---\n');
    write(path.join(data, 'skills', 'evil', 'SKILL.md'), '---js\n{}\n---\n');
    mkdirSync(path.join(data, 'skills', 'no-md'));
    write(path.join(data, 'skills', '_hidden', 'SKILL.md'), 'x');
    write(path.join(data, 'skills', '.dot', 'SKILL.md'), 'x');
    await expect(resolveSkill('evil', data)).rejects.toBeInstanceOf(SkillLoadError);
    const listing = await listSkills(data);
    expect(listing.skills.map((s) => s.name)).toEqual(['good']);
    expect(listing.problems.map((p) => path.basename(p.dir))).toEqual(['evil', 'no-md']);
    expect(await listSkills(path.join(data, 'missing'))).toEqual({ skills: [], problems: [] });
  });
});
