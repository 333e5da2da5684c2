import { defineResource } from '../src/contract/resource.js';
import type { Engine } from '../src/engine/engine.js';
import { UsageError } from '../src/engine/util/errors.js';

const skillsModule = () => import('../src/engine/skills/load.js');

async function skillNames(engine: Engine): Promise<string[]> {
  const { listSkillNames } = await skillsModule();
  return (await listSkillNames(engine.roots.data.value)).sort();
}

export const skillResource = defineResource({
  name: 'skill',
  title: 'Skill',
  description: 'A skill of the dataset: its SKILL.md text (front matter included).',
  mimeType: 'text/markdown',
  uri: 'skvm://skills/{name}',
  async list(engine) {
    return (await skillNames(engine)).map((name) => ({ uri: `skvm://skills/${name}`, name, mimeType: 'text/markdown' }));
  },
  complete: { name: async (engine, value) => (await skillNames(engine)).filter((n) => n.startsWith(value)).slice(0, 100) },
  async read(engine, uri, vars) {
    const { resolveSkill } = await skillsModule();
    const name = vars.name ?? '';
    if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(name)) throw new UsageError(`"${name}" is not a skill name.`);
    const skill = await resolveSkill(name, engine.roots.data.value);
    return { uri: uri.href, mimeType: 'text/markdown', text: skill.content };
  },
});
