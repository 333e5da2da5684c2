import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import { SKILL_FILE } from '../skills/load.js';
import type { Skill } from '../skills/types.js';
import { walkContained } from '../skills/walk.js';
import { ARTIFACT_DIR } from './artifacts.js';

/**
 * The clean start of a variant: the skill's SKILL.md and bundle files, copied into an empty
 * staging directory. What an earlier compile wrote (when the skill being compiled is itself a
 * variant) is left out at the top level, so no stale plan, script or artifact survives into
 * the new variant; `.git` and `.DS_Store` are left out at any depth. The walk never follows a
 * symlink out of the skill folder.
 */

/** Top-level names a compile produces; never copied from the source bundle. */
const COMPILE_OUTPUTS = new Set([ARTIFACT_DIR, '_profiling', 'compilation-plan.json', 'meta.json', 'env-setup.sh', 'workflow-dag.md', 'jit-candidates.json']);
const ENV_ATTEMPT = /^\.skvm-env-setup-attempt-/;
const NEVER_COPIED = new Set(['.git', '.DS_Store']);
const MAX_BUNDLE_FILES = 5000;

export function isCompileOutput(rel: string): boolean {
  return !rel.includes('/') && (COMPILE_OUTPUTS.has(rel) || ENV_ATTEMPT.test(rel));
}

export interface BundleCopy {
  /** Files copied, relative, SKILL.md first. */
  files: string[];
  /** What the walk skipped (a symlink leading outside, …). */
  notes: string[];
}

/** Copies `skill` into the empty directory `dest`. SKILL.md is written from `skill.content`, the text the guard compares against. */
export async function copySkillBundle(skill: Skill, dest: string): Promise<BundleCopy> {
  await fsp.writeFile(path.join(dest, SKILL_FILE), skill.content);
  const files = [SKILL_FILE];
  // A single-file skill (`notes.md`) has no bundle: its folder may hold anything.
  if (path.basename(skill.skillMdPath) !== SKILL_FILE) return { files, notes: [] };
  const walked = await walkContained(skill.dir, {
    maxFiles: MAX_BUNDLE_FILES,
    skip: (rel, name) => rel === SKILL_FILE || NEVER_COPIED.has(name) || isCompileOutput(rel),
  });
  for (const f of walked.files) {
    const target = path.join(dest, f.rel);
    await fsp.mkdir(path.dirname(target), { recursive: true });
    await fsp.copyFile(f.source, target);
    await fsp.chmod(target, (f.mode & 0o777) | 0o200);
    files.push(f.rel);
  }
  return { files, notes: walked.notes };
}
