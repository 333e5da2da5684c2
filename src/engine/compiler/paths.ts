import { join } from 'node:path';
import { checkHarnessName, isSafeDirName, toModelDirName } from '../profiles/names.js';
import { UsageError } from '../util/errors.js';
import { encodePathSegments } from '../util/uri.js';
import { isPassTag } from './pass-tag.js';

/**
 * Where variants and compile logs live (MUST compat, spec §0 and §4.5):
 *   <proposals>/aot-compile/<harness>/<safeModel>/<skillName>/<passTag>/
 *   <logs>/aot-compile/<harness>/<safeModel>/<skillName>/<passId>.jsonl
 */
export const AOT_COMPILE_DIR = 'aot-compile';

export interface VariantKey {
  harness: string;
  /** Model id or its directory name. */
  model: string;
  skillName: string;
  passTag: string;
}

export function checkSkillName(name: string): string {
  if (!isSafeDirName(name)) {
    throw new UsageError(`"${name}" cannot name a variant directory.`, 'Skill names are single path segments of letters, digits, ".", "_", "+", "@" or "-".');
  }
  return name;
}

export function aotCompileRoot(proposalsRoot: string): string {
  return join(proposalsRoot, AOT_COMPILE_DIR);
}

/** The directory of a skill's variants for one target (one sub-folder per pass tag). */
export function skillVariantsDir(proposalsRoot: string, k: Omit<VariantKey, 'passTag'>): string {
  return join(aotCompileRoot(proposalsRoot), checkHarnessName(k.harness), toModelDirName(k.model), checkSkillName(k.skillName));
}

export function variantDir(proposalsRoot: string, k: VariantKey): string {
  if (!isPassTag(k.passTag)) throw new UsageError(`"${k.passTag}" is not a pass tag.`, 'Pass tags look like p1, p1p2p3.');
  return join(skillVariantsDir(proposalsRoot, k), k.passTag);
}

export function compileLogDir(logsRoot: string, k: Omit<VariantKey, 'passTag'>): string {
  return join(logsRoot, AOT_COMPILE_DIR, checkHarnessName(k.harness), toModelDirName(k.model), checkSkillName(k.skillName));
}

export function variantUri(k: VariantKey): string {
  return `skvm://variants/${encodeURIComponent(k.harness)}/${encodeURIComponent(toModelDirName(k.model))}/${encodeURIComponent(k.skillName)}/${k.passTag}`;
}

/** URI of a file of a variant: each path segment encoded, slashes kept. */
export function variantFileUri(variantUri: string, rel: string): string {
  return `${variantUri}/${encodePathSegments(rel)}`;
}
