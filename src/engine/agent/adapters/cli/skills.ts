import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import { openForRead, writeConfinedText } from '../../../sandbox/index.js';
import type { Skill } from '../../../skills/types.js';
import { isInside } from '../../../skills/walk.js';

/**
 * Skill delivery for CLI harnesses (spec runtime §2.14): inject puts the skills' text where the
 * harness reads instructions, after a sentinel line; discover installs each SKILL.md where the
 * harness looks for skills, so the model decides whether to load it. Paths are relative to a
 * root (the work dir, or the private home) and written without following links: a work dir
 * belongs to its command identity, whose `_setup.sh` could have planted `AGENTS.md` as a link
 * to a file of root's.
 */

/** Marks text we injected (the reference's sentinel). */
export const INJECTED_SENTINEL = '<skvm-skill-injected/>';

export function injectedText(skills: readonly Skill[]): string {
  return `${INJECTED_SENTINEL}\n\n${skills.map((s) => s.content.trim()).join('\n\n')}\n`;
}

/** Appends the injected text to an instructions file (`rel` under `root`, e.g. AGENTS.md), keeping what the task put there. */
export async function appendInjected(root: string, rel: string, skills: readonly Skill[]): Promise<void> {
  const existing = await readIfThere(root, rel);
  await writeConfinedText(root, rel, `${existing}${existing && !existing.endsWith('\n') ? '\n' : ''}${existing ? '\n' : ''}${injectedText(skills)}`);
}

async function readIfThere(root: string, rel: string): Promise<string> {
  let opened;
  try {
    opened = await openForRead(root, rel);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return '';
    throw err;
  }
  try {
    return await opened.handle.readFile('utf8');
  } finally {
    await opened.handle.close();
  }
}

/**
 * Writes `<root>/<rel>/<name>/SKILL.md` for each skill, with its bundle files beside it (as in its own
 * folder, so relative references resolve from the skill's folder as well as from the work dir,
 * where the runtime stages them); returns the skill folders. Harnesses find a skill by its front
 * matter, so a SKILL.md without one gets ours.
 */
export async function installSkills(root: string, rel: string, skills: readonly Skill[]): Promise<string[]> {
  const folders: string[] = [];
  for (const s of skills) {
    const folder = path.join(rel, s.name);
    const body = s.content.startsWith('---') ? s.content : `---\nname: ${s.name}\ndescription: ${JSON.stringify(s.description)}\n---\n\n${s.content}`;
    await writeConfinedText(root, path.join(folder, 'SKILL.md'), body);
    await copyBundle(s, root, folder);
    folders.push(path.join(root, folder));
  }
  return folders;
}

/** skillLoaded of a run: inject ⇒ the harness produced output with the skills in its instructions; discover ⇒ it loaded one. */
export function skillLoaded(mode: 'inject' | 'discover', skills: readonly Skill[], run: { anyOutput: boolean; skillsLoaded: readonly string[] }): boolean {
  if (mode === 'inject') return run.anyOutput;
  return skills.some((s) => run.skillsLoaded.includes(s.name));
}

/** The skill's bundle files, those that still lie inside its folder (a symlink out is skipped). */
async function copyBundle(skill: Skill, root: string, folder: string): Promise<void> {
  const skillRoot = await fsp.realpath(skill.dir).catch(() => undefined);
  if (!skillRoot) return;
  for (const rel of skill.files) {
    const source = await fsp.realpath(path.join(skillRoot, rel)).catch(() => undefined);
    if (!source || !isInside(skillRoot, source) || !(await fsp.stat(source)).isFile()) continue;
    const dest = path.join(folder, rel);
    if (!isInside(folder, dest)) continue;
    await writeConfinedText(root, dest, await fsp.readFile(source));
  }
}
