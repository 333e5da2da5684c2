import { createHash } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import { homedir } from 'node:os';
import * as path from 'node:path';
import matter from 'gray-matter';
import { closestMatches } from '../util/closest.js';
import { NotFoundError, SkvmError, errorMessage } from '../util/errors.js';
import { loadEach, type LoadProblem } from '../util/async.js';
import type { Skill } from './types.js';
import { isInside, walkContained } from './walk.js';
import { statOrNull } from '../util/fs.js';

/**
 * Loading skills (spec runtime §4.1): a path to a `.md` file is that file; anything else is a
 * folder holding `SKILL.md`. Skills come from anywhere (task data, user folders, downloads), so
 * the loader treats them as untrusted: front matter is YAML data only — gray-matter's
 * JavaScript engines are replaced by ones that refuse — and the bundle listing never follows a
 * symlink out of the skill folder.
 */

export const SKILL_FILE = 'SKILL.md';
/** Used when the front matter has no description. */
export const DEFAULT_SKILL_DESCRIPTION = 'Guidance for the task at hand, supplied by SkVM.';
/** Names left out of bundle listings at any depth. */
const ALWAYS_SKIPPED = new Set(['.git', '.DS_Store']);
const MAX_BUNDLE_FILES = 5000;

/** A skill folder or SKILL.md that cannot be used; `code` is `not_found` when nothing is there. */
export class SkillLoadError extends SkvmError {
  readonly path: string;
  constructor(message: string, file: string, opts: { hint?: string; code?: string; cause?: unknown } = {}) {
    super(message, { code: opts.code ?? 'skill_invalid', hint: opts.hint, cause: opts.cause });
    this.path = file;
  }
}

// ── front matter ────────────────────────────────────────────────────────────────

export interface FrontMatter {
  /** Parsed YAML mapping; `{}` when there is none or it is not a mapping. */
  data: Record<string, unknown>;
  /** The text after the front matter. */
  body: string;
  notes: string[];
}

const YAML_LANGUAGES = new Set(['', 'yaml', 'yml']);

function refusingEngine(language: string): { parse: () => never } {
  return {
    parse: () => {
      throw new Error(`front matter language "${language}" is not accepted (YAML only)`);
    },
  };
}

/**
 * Every language gray-matter knows besides YAML maps to an engine that throws, so even a
 * detection mismatch between this module and gray-matter can never reach its `eval` engine.
 */
const SAFE_ENGINES = Object.fromEntries(
  ['js', 'javascript', 'coffee', 'coffeescript', 'cson', 'json', 'toml'].map((l) => [l, refusingEngine(l)]),
);

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Date);
}

/** The `name:` / `description:` lines of a front matter block YAML could not parse (quotes stripped). */
function scanFrontMatterLines(block: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const line of block.split(/\r?\n/)) {
    const m = /^(name|description):\s*(.*?)\s*$/.exec(line);
    if (!m || m[1]! in out) continue;
    let value = m[2]!;
    if (value.length >= 2 && (value[0] === '"' || value[0] === "'") && value.at(-1) === value[0]) value = value.slice(1, -1);
    if (value) out[m[1]!] = value;
  }
  return out;
}

/**
 * Split SKILL.md text into YAML front matter and body. Throws SkillLoadError for front matter
 * that declares another language (`---js`, `---javascript`, …): it is refused, never run.
 */
export function parseFrontMatter(text: string, file = SKILL_FILE): FrontMatter {
  const src = text.startsWith('\uFEFF') ? text.slice(1) : text;
  if (!src.startsWith('---') || src[3] === '-') return { data: {}, body: src, notes: [] };
  const firstBreak = src.search(/\r?\n/);
  const language = src.slice(3, firstBreak === -1 ? src.length : firstBreak).trim();
  if (!YAML_LANGUAGES.has(language.toLowerCase())) {
    throw new SkillLoadError(`${file}: front matter declared as "${language}" is refused; only YAML front matter is accepted.`, file, {
      hint: 'Start SKILL.md with a plain "---" line followed by YAML keys such as name: and description:.',
    });
  }
  // The delimiters are normalised so a CRLF file parses like an LF one.
  const normalised = src.replace(/\r\n/g, '\n');
  let parsed: matter.GrayMatterFile<string>;
  try {
    parsed = matter(normalised, { language: 'yaml', engines: SAFE_ENGINES });
  } catch (err) {
    const close = normalised.indexOf('\n---', 3);
    const block = normalised.slice(normalised.indexOf('\n') + 1, close === -1 ? normalised.length : close);
    const body = close === -1 ? '' : normalised.slice(close + 4).replace(/^[^\n]*\n?/, '');
    const reason = errorMessage(err).split('\n')[0];
    return {
      data: scanFrontMatterLines(block),
      body,
      notes: [`front matter is not valid YAML (${reason}); name and description were read line by line`],
    };
  }
  const data: unknown = parsed.data;
  if (isPlainObject(data)) return { data, body: parsed.content, notes: [] };
  const notes = data === null || data === undefined ? [] : ['front matter is not a YAML mapping; ignored'];
  return { data: {}, body: parsed.content, notes };
}

export function skillContentHash(content: string): string {
  return createHash('sha256').update(content).digest('hex').slice(0, 16);
}

function metaString(v: unknown): string | undefined {
  if (typeof v === 'string' && v.trim()) return v.trim();
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  return undefined;
}

// ── loading ─────────────────────────────────────────────────────────────────────


/**
 * Load a skill from a folder (its `SKILL.md`) or from a `.md` file. For `<dir>/SKILL.md` the
 * folder is `<dir>` with its bundle files; any other `.md` file is a single-file skill (no
 * bundle: its folder is not a skill folder and may hold anything). Relative paths resolve
 * against `opts.cwd` (default: the process cwd).
 */
export async function loadSkill(ref: string, opts: { cwd?: string } = {}): Promise<Skill> {
  const abs = path.resolve(opts.cwd ?? process.cwd(), ref);
  const stat = await statOrNull(abs);
  if (!stat) throw new SkillLoadError(`No skill at ${abs}: nothing there.`, abs, { code: 'not_found' });

  let dir: string;
  let skillMdPath: string;
  let singleFile = false;
  if (stat.isDirectory()) {
    dir = abs;
    skillMdPath = path.join(abs, SKILL_FILE);
    const md = await statOrNull(skillMdPath);
    if (!md || !md.isFile()) {
      throw new SkillLoadError(`No ${SKILL_FILE} in ${abs}.`, abs, {
        code: 'not_found',
        hint: `A skill folder holds a ${SKILL_FILE} file; pass the folder or a .md file.`,
      });
    }
    const [realDir, realMd] = await Promise.all([fsp.realpath(dir), fsp.realpath(skillMdPath)]);
    if (!isInside(realDir, realMd)) {
      throw new SkillLoadError(`${skillMdPath} is a symlink leading outside the skill folder; refused.`, skillMdPath);
    }
  } else if (stat.isFile()) {
    if (!/\.md$/i.test(abs)) {
      throw new SkillLoadError(`${abs} is neither a skill folder nor a .md file.`, abs, {
        hint: `Pass a folder containing ${SKILL_FILE}, or the path of a Markdown file.`,
      });
    }
    skillMdPath = abs;
    dir = path.dirname(abs);
    singleFile = path.basename(abs) !== SKILL_FILE;
  } else {
    throw new SkillLoadError(`${abs} is neither a skill folder nor a .md file.`, abs);
  }

  let content: string;
  try {
    content = await fsp.readFile(skillMdPath, 'utf8');
  } catch (err) {
    throw new SkillLoadError(`Cannot read ${skillMdPath}: ${errorMessage(err)}`, skillMdPath, { cause: err });
  }
  const fm = parseFrontMatter(content, skillMdPath);
  const notes = [...fm.notes];

  let files: string[] = [];
  if (!singleFile) {
    const walked = await walkContained(dir, {
      maxFiles: MAX_BUNDLE_FILES,
      skip: (rel, name) => rel === SKILL_FILE || ALWAYS_SKIPPED.has(name),
    });
    files = walked.files.map((f) => f.rel);
    notes.push(...walked.notes);
  }

  const skill: Skill = {
    name: metaString(fm.data.name) ?? path.basename(dir),
    description: metaString(fm.data.description) ?? DEFAULT_SKILL_DESCRIPTION,
    dir,
    skillMdPath,
    content,
    frontMatter: fm.data,
    files,
    contentHash: skillContentHash(content),
  };
  if (notes.length > 0) skill.notes = notes;
  return skill;
}

/** Whether a skill reference is meant as a path rather than a bare name under `<data>/skills`. */
export function looksLikePath(ref: string): boolean {
  return path.isAbsolute(ref) || ref.includes('/') || ref.includes('\\') || ref.startsWith('.') || ref.startsWith('~') || /\.md$/i.test(ref);
}

function expandHome(ref: string): string {
  if (ref === '~') return homedir();
  if (ref.startsWith('~/')) return path.join(homedir(), ref.slice(2));
  return ref;
}

export function skillsDir(dataRoot: string): string {
  return path.join(dataRoot, 'skills');
}

/** Names of the skill folders under `<data>/skills` (folders starting with `_` or `.` left out), sorted. */
export async function listSkillNames(dataRoot: string): Promise<string[]> {
  let entries;
  try {
    entries = await fsp.readdir(skillsDir(dataRoot), { withFileTypes: true });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return [];
    throw err;
  }
  const names: string[] = [];
  for (const e of entries) {
    if (e.name.startsWith('_') || e.name.startsWith('.')) continue;
    if (e.isDirectory() || (e.isSymbolicLink() && (await statOrNull(path.join(skillsDir(dataRoot), e.name)))?.isDirectory())) names.push(e.name);
  }
  return names.sort();
}

/**
 * A skill by reference: a path (absolute, `~/…`, or relative to `opts.cwd`) or a bare name
 * looked up as `<data>/skills/<name>`. An unknown reference throws NotFoundError listing the
 * closest skill names of the data root.
 */
export async function resolveSkill(ref: string, dataRoot: string, opts: { cwd?: string } = {}): Promise<Skill> {
  const trimmed = ref.trim();
  if (!trimmed) throw new NotFoundError('skill', ref, [], 'Give a skill name or a path to a skill folder.');
  const cwd = opts.cwd ?? process.cwd();
  if (looksLikePath(trimmed)) {
    const abs = path.resolve(cwd, expandHome(trimmed));
    if (await statOrNull(abs)) return loadSkill(abs);
  } else {
    // A bare name is a folder of the data root; a folder of that name in cwd counts only
    // when it really is a skill folder. Something that exists but is broken is reported as such.
    const inData = path.join(skillsDir(dataRoot), trimmed);
    if (await statOrNull(inData)) return loadSkill(inData);
    const inCwd = path.resolve(cwd, trimmed);
    if ((await statOrNull(path.join(inCwd, SKILL_FILE)))?.isFile()) return loadSkill(inCwd);
  }
  const names = await listSkillNames(dataRoot);
  const key = looksLikePath(trimmed) ? path.basename(trimmed.replace(/[\\/]+$/, '')).replace(/\.md$/i, '') : trimmed;
  throw new NotFoundError('skill', trimmed, closestMatches(key, names), `Skills are folders with ${SKILL_FILE} under ${skillsDir(dataRoot)}, or any path to such a folder.`);
}

export interface SkillListing {
  skills: Skill[];
  /** Folders under `<data>/skills` that did not load, each with the reason. */
  problems: LoadProblem[];
}

/** Every skill under `<data>/skills`, sorted by folder name; a broken one becomes a problem entry. */
export async function listSkills(dataRoot: string): Promise<SkillListing> {
  const names = await listSkillNames(dataRoot);
  const { loaded, problems } = await loadEach(names.map((n) => path.join(skillsDir(dataRoot), n)), 16, loadSkill);
  return { skills: loaded, problems };
}
