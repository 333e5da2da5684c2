import { isObj } from './json-shapes.js';

/**
 * Which skills a transcript shows being loaded. Harnesses load a skill in one of two ways: a
 * dedicated tool whose argument names it (Claude Code `Skill {skill}`, opencode `skill {name}`,
 * Gemini CLI `activate_skill {name}`, our bare agent `load_skill {name}`),
 * or an ordinary read of its `SKILL.md` (Codex, pi, Gemini CLI, and file reads in any harness),
 * where the skill is the folder holding that file.
 */

const SKILL_TOOLS = new Set(['skill', 'Skill', 'activate_skill', 'load_skill']);
const SKILL_MD_PATH = /([A-Za-z0-9._@:-]+)[\\/]SKILL\.md\b/g;
const WRITING_TOOL = /write|edit|patch|create/i;
/** Claude Code injects this line into the turn that carries a loaded skill's body. */
const SKILL_BASE_DIR = /Base directory for this skill:\s*(\S+)/g;

export function skillsNamedByToolCall(name: string, args: unknown): string[] {
  const out: string[] = [];
  if (SKILL_TOOLS.has(name) && isObj(args)) {
    const named = args.skill ?? args.name ?? args.command;
    if (typeof named === 'string' && named.trim()) out.push(named.trim().replace(/^\//, ''));
  }
  // Writing or patching a SKILL.md authors a skill; it does not load one.
  if (!WRITING_TOOL.test(name)) forEachString(args, (s) => out.push(...skillsInText(s, SKILL_MD_PATH)));
  return out;
}

/** Skills named by injected skill bodies ("Base directory for this skill: …/<name>"). */
export function skillsAnnouncedInText(text: string): string[] {
  return skillsInText(text, SKILL_BASE_DIR).map((dir) => dir.replace(/[\\/]+$/, '').split(/[\\/]/).pop() ?? dir);
}

function skillsInText(text: string, re: RegExp): string[] {
  if (!text.includes('SKILL.md') && !text.includes('Base directory')) return [];
  return [...text.matchAll(re)].map((m) => m[1]!).filter((s) => s !== '.' && s !== '..');
}

function forEachString(v: unknown, fn: (s: string) => void, depth = 0): void {
  if (depth > 6) return;
  if (typeof v === 'string') fn(v);
  else if (Array.isArray(v)) for (const x of v) forEachString(x, fn, depth + 1);
  else if (isObj(v)) for (const x of Object.values(v)) forEachString(x, fn, depth + 1);
}
