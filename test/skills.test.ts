import { existsSync, readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_SKILL_DESCRIPTION, loadSkill } from '../src/engine/skills/load.js';
import { operations } from '../tools/index.js';
import { REPO } from './e2e/harness.js';
import { mentionedToolNames } from './tool-mentions.js';

/** The agent-facing skills in skills/: valid for our own loader, self-contained, and naming only tools that exist. */

const SKILLS_DIR = path.join(REPO, 'skills');
const toolNames = operations.map((o) => o.name);
const oneWordTools = toolNames.filter((n) => !n.includes('_'));

/** The tools each skill exists to teach: a skill that stops naming them is broken. */
const MUST_MENTION: Record<string, string[]> = {
  'skvm-general': ['config_doctor', 'profile', 'profile_show', 'compile', 'run_task', 'bench', 'run_status', 'proposals_list', 'proposal_accept', 'proposal_rollback'],
  'skvm-jit': ['transcripts_list', 'jit_optimize', 'run_status', 'proposal_show', 'proposal_diff', 'proposal_accept', 'proposal_rollback'],
};

/** Relative targets of Markdown links (`[text](target)`), without anchors. */
function linkTargets(markdown: string): string[] {
  return [...markdown.matchAll(/\]\(([^)\s]+)\)/g)].map((m) => m[1]!.split('#')[0]!).filter((t) => t && !/^[a-z]+:/i.test(t));
}

const folders = readdirSync(SKILLS_DIR, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name).sort();

describe('skills/', () => {
  it('holds exactly the two agent-facing skills, each listed in skills/README.md', () => {
    expect(folders).toEqual(['skvm-general', 'skvm-jit']);
    const readme = readFileSync(path.join(SKILLS_DIR, 'README.md'), 'utf8');
    for (const f of folders) expect(readme).toContain(`(${f}/SKILL.md)`);
    for (const target of linkTargets(readme)) expect(existsSync(path.join(SKILLS_DIR, target)), target).toBe(true);
  });

  describe.each(folders)('%s', (folder) => {
    it('loads with our skill loader: YAML front matter whose name is the folder and whose description says when to use it', async () => {
      const skill = await loadSkill(path.join(SKILLS_DIR, folder));
      expect(skill.notes).toBeUndefined();
      expect(skill.frontMatter.name).toBe(folder);
      expect(skill.name).toBe(folder);
      expect(skill.description).not.toBe(DEFAULT_SKILL_DESCRIPTION);
      // Hosts show the description to decide when to load the skill; Claude Code caps it at 1024 characters.
      expect(skill.description.length).toBeGreaterThan(100);
      expect(skill.description.length).toBeLessThanOrEqual(1024);
      expect(skill.description).toMatch(/^Use /);
    });

    it('links only files it has, and has no file it does not link', async () => {
      const skill = await loadSkill(path.join(SKILLS_DIR, folder));
      const linked = linkTargets(skill.content);
      for (const target of linked) expect(existsSync(path.join(skill.dir, target)), `${folder} links ${target}`).toBe(true);
      expect([...skill.files].sort()).toEqual([...new Set(linked)].sort());
    });

    it('names only tools the registry has (tools/index.ts), and the ones it exists to teach', async () => {
      const skill = await loadSkill(path.join(SKILLS_DIR, folder));
      const text = [skill.content, ...skill.files.map((f) => readFileSync(path.join(skill.dir, f), 'utf8'))].join('\n');
      const mentioned = mentionedToolNames(text, oneWordTools);
      expect(mentioned.filter((t) => !toolNames.includes(t)), `${folder} names tools that do not exist`).toEqual([]);
      for (const t of MUST_MENTION[folder]!) expect(mentioned, `${folder} should name ${t}`).toContain(t);
    });
  });
});
