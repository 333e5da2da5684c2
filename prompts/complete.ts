import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import { completions } from '../resources/uri-vars.js';
import type { Engine } from '../src/engine/engine.js';

/** Argument completions the prompts share. Engine modules load on first use, as in resources/. */

/** Subdirectory names of `dir`; none when it is missing or unreadable. */
async function subdirs(dir: string): Promise<string[]> {
  try {
    return (await fsp.readdir(dir, { withFileTypes: true })).filter((e) => e.isDirectory() && !e.name.startsWith('.')).map((e) => e.name);
  } catch {
    return [];
  }
}

/** Skill names that have proposals: `<proposals>/jit-optimize/<harness>/<model>/<skill>/` (spec runtime §7.1). */
async function proposalSkillNames(engine: Engine): Promise<string[]> {
  const root = path.join(engine.roots.proposals.value, 'jit-optimize');
  const names: string[] = [];
  for (const harness of await subdirs(root)) {
    for (const model of await subdirs(path.join(root, harness))) names.push(...(await subdirs(path.join(root, harness, model))));
  }
  return names;
}

/** Skills of the dataset and skills that have proposals. */
export async function completeSkill(engine: Engine, value: string): Promise<string[]> {
  const { listSkillNames } = await import('../src/engine/skills/load.js');
  const [dataset, proposed] = await Promise.all([listSkillNames(engine.roots.data.value), proposalSkillNames(engine)]);
  return completions([...dataset, ...proposed].sort(), value);
}

/** Model ids with a cached capability profile. */
export async function completeProfiledModel(engine: Engine, value: string, args: Record<string, string>): Promise<string[]> {
  const { listProfiles } = await import('../src/engine/profiles/store.js');
  const rows = await listProfiles(engine.roots.profiles.value, args.harness ? { filter: (k) => k.harness === args.harness } : {});
  return completions(rows.map((r) => r.model).sort(), value);
}
