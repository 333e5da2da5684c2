import { promises as fsp } from 'node:fs';
import { homedir } from 'node:os';
import * as path from 'node:path';
import type { z } from 'zod';
import type { CustomEvaluator } from '../eval/types.js';
import { loadSkill } from '../skills/load.js';
import type { Skill } from '../skills/types.js';
import { isInside } from '../skills/walk.js';
import { closestMatches } from '../util/closest.js';
import { NotFoundError, SkvmError, errorMessage } from '../util/errors.js';
import { TaskFileSchema, type TaskFile } from './schema.js';
import { lstatOrNull, statOrNull } from '../util/fs.js';
import { loadEach, type LoadProblem } from '../util/async.js';


/**
 * Loading benchmark tasks (spec runtime §3.1): `<tasks>/<id>/task.json`, optional sibling
 * `grade.py` (python-grade payload), optional `fixtures/` tree with an optional `_setup.sh`.
 * Loading a whole folder never lets one bad task hide the others: each failure becomes a
 * problem entry next to the tasks that loaded.
 */

export const TASK_FILE = 'task.json';
export const GRADE_PY = 'grade.py';
export const FIXTURES_DIR = 'fixtures';
export const SETUP_SCRIPT = '_setup.sh';

export type LoadedTask = TaskFile & {
  /** Absolute path of the task folder. */
  dir: string;
  /** Absolute path of the task file that was read. */
  taskFile: string;
  /** The `skill` field as absolute paths (relative entries resolved against `dir`); [] for none. */
  skillPaths: string[];
  /** `<dir>/fixtures/` is a real folder (a symlinked one is ignored). */
  hasFixturesDir: boolean;
  /** `<dir>/fixtures/_setup.sh` exists (bench-style preparation runs it). */
  hasSetupScript: boolean;
  /** Things that do not stop the task from loading but may stop it from running or grading. */
  warnings: string[];
  /** Loaded skills, only when loading was asked to resolve them. */
  skills?: Skill[];
};

export type TaskProblem = LoadProblem;

export interface TaskListing {
  /** Sorted by id. */
  tasks: LoadedTask[];
  problems: TaskProblem[];
}

/** What a custom evaluator offers at load time (spec §3.3): a sidecar payload reader and a validator. */
export type LoadTimeEvaluator = Pick<CustomEvaluator, 'loadPayload' | 'validatePayload'>;

export interface LoadTaskOptions {
  /** Base for a relative path (default: the process cwd). */
  cwd?: string;
  /**
   * Require `id` to equal the folder name. Default: true when the file is named task.json
   * (the dataset layout); a free-standing `<name>.json` task file is exempt.
   */
  checkId?: boolean;
  /** Load every skill of `skill` too; a skill that does not load makes the task fail to load. */
  resolveSkills?: boolean;
  /** Custom evaluators by id, for sidecar payloads and load-time payload validation. */
  lookupEvaluator?: (evaluatorId: string) => LoadTimeEvaluator | undefined;
}

/** A task that cannot be used; `code` is `not_found` when there is no task file at all. */
export class TaskLoadError extends SkvmError {
  readonly path: string;
  constructor(message: string, file: string, opts: { hint?: string; code?: string; cause?: unknown } = {}) {
    super(message, { code: opts.code ?? 'task_invalid', hint: opts.hint, cause: opts.cause });
    this.path = file;
  }
}

/** `['eval', 1, 'method']` → `eval[1].method`. */
export function issuePath(p: ReadonlyArray<PropertyKey>): string {
  let out = '';
  for (const key of p) {
    if (typeof key === 'number') out += `[${key}]`;
    else if (typeof key === 'string' && /^[A-Za-z_$][\w$-]*$/.test(key)) out += out ? `.${key}` : key;
    else out += `[${JSON.stringify(String(key))}]`;
  }
  return out || '(root)';
}

export function describeTaskIssues(error: z.ZodError): string {
  return error.issues.map((i) => `${issuePath(i.path)}: ${i.message}`).join('; ');
}



/**
 * Why an inline fixture path cannot be written inside a work directory, or undefined when it
 * can: it must be relative and stay inside (after `.`/`..` are resolved) on any platform.
 */
export function fixturePathProblem(rel: string): string | undefined {
  if (!rel || !rel.trim()) return 'empty path';
  if (rel.includes('\0')) return 'contains a NUL character';
  if (path.isAbsolute(rel) || path.posix.isAbsolute(rel) || path.win32.isAbsolute(rel) || /^[A-Za-z]:/.test(rel)) return 'absolute path';
  const norm = path.posix.normalize(rel.replace(/\\/g, '/'));
  if (norm === '..' || norm.startsWith('../')) return 'leaves the work directory';
  if (norm === '.' || norm === './') return 'names the work directory itself';
  return undefined;
}

function toSkillPaths(skill: TaskFile['skill'], dir: string, file: string): string[] {
  if (skill === undefined || skill === null) return [];
  const list = Array.isArray(skill) ? skill : [skill];
  return list.map((entry, i) => {
    if (!entry.trim()) throw new TaskLoadError(`${file}: skill${Array.isArray(skill) ? `[${i}]` : ''}: empty path`, file);
    const expanded = entry.startsWith('~/') ? path.join(homedir(), entry.slice(2)) : entry;
    return path.resolve(dir, expanded);
  });
}

/**
 * Load one task from its folder or its JSON file. Throws TaskLoadError naming the file and,
 * for schema errors, the JSON path of every bad field (`eval[1].method: …`).
 */
export async function loadTask(ref: string, opts: LoadTaskOptions = {}): Promise<LoadedTask> {
  const abs = path.resolve(opts.cwd ?? process.cwd(), ref);
  const st = await statOrNull(abs);
  if (!st) throw new TaskLoadError(`No task at ${abs}: nothing there.`, abs, { code: 'not_found' });
  const file = st.isDirectory() ? path.join(abs, TASK_FILE) : abs;
  const dir = path.dirname(file);

  let text: string;
  try {
    text = await fsp.readFile(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new TaskLoadError(`No ${TASK_FILE} in ${dir}.`, file, { code: 'not_found' });
    throw new TaskLoadError(`Cannot read ${file}: ${errorMessage(err)}`, file, { cause: err });
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new TaskLoadError(`${file} is not valid JSON: ${errorMessage(err)}`, file);
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new TaskLoadError(`${file}: expected a JSON object`, file);
  const parsed = TaskFileSchema.safeParse(raw);
  if (!parsed.success) throw new TaskLoadError(`${file}: invalid task: ${describeTaskIssues(parsed.error)}`, file);
  const task = parsed.data;

  const folder = path.basename(dir);
  const checkId = opts.checkId ?? path.basename(file) === TASK_FILE;
  if (checkId && task.id !== folder) {
    throw new TaskLoadError(`${file}: task id "${task.id}" does not match its folder name "${folder}"`, file, {
      hint: 'A task folder must be named after the task id; rename one of them.',
    });
  }

  for (const rel of Object.keys(task.fixtures ?? {})) {
    const why = fixturePathProblem(rel);
    if (why) throw new TaskLoadError(`${file}: fixtures[${JSON.stringify(rel)}]: ${why}`, file);
  }

  const warnings: string[] = [];
  const fixturesDir = path.join(dir, FIXTURES_DIR);
  const fixturesStat = await lstatOrNull(fixturesDir);
  const hasFixturesDir = !!fixturesStat?.isDirectory();
  if (fixturesStat?.isSymbolicLink()) warnings.push(`${FIXTURES_DIR}/ is a symlink; it is ignored`);
  let hasSetupScript = false;
  if (hasFixturesDir) {
    const setup = path.join(fixturesDir, SETUP_SCRIPT);
    const setupStat = await lstatOrNull(setup);
    if (setupStat?.isFile()) hasSetupScript = true;
    else if (setupStat?.isSymbolicLink()) {
      const real = await fsp.realpath(setup).catch(() => undefined);
      if (real && isInside(await fsp.realpath(fixturesDir), real) && (await statOrNull(real))?.isFile()) hasSetupScript = true;
      else warnings.push(`${FIXTURES_DIR}/${SETUP_SCRIPT} is a symlink leading outside ${FIXTURES_DIR}/; it is ignored`);
    }
  }

  // Custom payloads: python-grade reads the sibling grade.py; registered evaluators may add more.
  const gradePy = path.join(dir, GRADE_PY);
  let gradePySource: string | undefined;
  for (const [i, criterion] of task.eval.entries()) {
    if (criterion.method !== 'custom') continue;
    const label = `eval[${i}] (${criterion.evaluatorId})`;
    if (criterion.payload === undefined && criterion.evaluatorId === 'python-grade') {
      gradePySource ??= (await statOrNull(gradePy))?.isFile() ? await fsp.readFile(gradePy, 'utf8') : undefined;
      if (gradePySource !== undefined) criterion.payload = gradePySource;
      else warnings.push(`${label}: no payload in ${TASK_FILE} and no ${GRADE_PY} beside it; it cannot be graded`);
    }
    if (!opts.lookupEvaluator) continue;
    const evaluator = opts.lookupEvaluator(criterion.evaluatorId);
    if (!evaluator) {
      warnings.push(`${label}: no evaluator with this id is registered`);
      continue;
    }
    if (criterion.payload === undefined && evaluator.loadPayload) {
      const payload = await evaluator.loadPayload(dir);
      if (payload !== undefined) criterion.payload = payload;
    }
    if (evaluator.validatePayload) {
      try {
        evaluator.validatePayload(criterion.payload);
      } catch (err) {
        throw new TaskLoadError(`${file}: ${label}: [${criterion.evaluatorId}] payload validation failed in ${dir}: ${errorMessage(err)}`, file);
      }
    }
  }

  const skillPaths = toSkillPaths(task.skill, dir, file);
  for (const p of skillPaths) if (!(await statOrNull(p))) warnings.push(`skill path does not exist: ${p}`);

  const loaded: LoadedTask = { ...task, dir, taskFile: file, skillPaths, hasFixturesDir, hasSetupScript, warnings };
  if (opts.resolveSkills) loaded.skills = await resolveTaskSkills(loaded);
  return loaded;
}

/**
 * The skills of a task, loaded from its `skillPaths` in order. A skill that does not load
 * throws (the reference drops such a task from a bench run with an error).
 */
export async function resolveTaskSkills(task: Pick<LoadedTask, 'id' | 'skillPaths'>): Promise<Skill[]> {
  const skills: Skill[] = [];
  for (const p of task.skillPaths) {
    try {
      skills.push(await loadSkill(p));
    } catch (err) {
      throw new SkvmError(`Task "${task.id}": skill ${p} did not load: ${errorMessage(err)}`, {
        code: 'skill_unresolved',
        hint: 'The task\'s "skill" field holds skill folder paths relative to the task folder (or absolute).',
        cause: err,
      });
    }
  }
  return skills;
}


/** Folders of a tasks root that count as tasks: not starting with `_` or `.`, sorted. */
export async function listTaskDirs(tasksRoot: string): Promise<string[]> {
  let entries;
  try {
    entries = await fsp.readdir(tasksRoot, { withFileTypes: true });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return [];
    throw err;
  }
  const names: string[] = [];
  for (const e of entries) {
    if (e.name.startsWith('_') || e.name.startsWith('.')) continue;
    if (e.isDirectory() || (e.isSymbolicLink() && (await statOrNull(path.join(tasksRoot, e.name)))?.isDirectory())) names.push(e.name);
  }
  return names.sort();
}

/**
 * Every task under `tasksRoot` (`<data>/tasks`). A folder whose task does not load (bad JSON,
 * schema error, id ≠ folder name, no task.json, …) becomes a problem entry; the rest load.
 * A missing `tasksRoot` is an empty listing.
 */
export async function loadTasks(tasksRoot: string, opts: Omit<LoadTaskOptions, 'checkId' | 'cwd'> = {}): Promise<TaskListing> {
  const root = path.resolve(tasksRoot);
  const names = await listTaskDirs(root);
  const { loaded, problems } = await loadEach(names.map((n) => path.join(root, n)), 16, (dir) => loadTask(dir, { ...opts, checkId: true }));
  const listing: TaskListing = { tasks: loaded, problems };
  listing.tasks.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return listing;
}

export function tasksDir(dataRoot: string): string {
  return path.join(dataRoot, 'tasks');
}

function looksLikeTaskPath(ref: string): boolean {
  return path.isAbsolute(ref) || ref.includes('/') || ref.includes('\\') || ref.startsWith('.') || ref.startsWith('~') || /\.json$/i.test(ref);
}

/**
 * A task by reference: a path (its folder or JSON file; absolute, `~/…` or relative to
 * `opts.cwd`) or an id under `<data>/tasks`. An unknown id throws NotFoundError with the
 * closest ids.
 */
export async function resolveTask(ref: string, dataRoot: string, opts: Omit<LoadTaskOptions, 'cwd'> & { cwd?: string } = {}): Promise<LoadedTask> {
  const trimmed = ref.trim();
  const root = tasksDir(dataRoot);
  if (!trimmed) throw new NotFoundError('task', ref, [], 'Give a task id or a path to a task folder or task.json.');
  const cwd = opts.cwd ?? process.cwd();
  if (looksLikeTaskPath(trimmed)) {
    const abs = path.resolve(cwd, trimmed.startsWith('~/') ? path.join(homedir(), trimmed.slice(2)) : trimmed);
    if (await statOrNull(abs)) return loadTask(abs, { ...opts, cwd });
  } else {
    const inData = path.join(root, trimmed);
    if (await statOrNull(inData)) return loadTask(inData, { ...opts, cwd });
    const inCwd = path.resolve(cwd, trimmed);
    if ((await statOrNull(path.join(inCwd, TASK_FILE)))?.isFile()) return loadTask(inCwd, { ...opts, cwd });
  }
  const ids = await listTaskDirs(root);
  const key = looksLikeTaskPath(trimmed) ? path.basename(trimmed.replace(/[\\/]+$/, '')).replace(/\.json$/i, '') : trimmed;
  const near = closestMatches(key === 'task' ? path.basename(path.dirname(trimmed)) : key, ids);
  throw new NotFoundError('task', trimmed, near, `Tasks are folders with ${TASK_FILE} under ${root}, or any path to such a folder or file.`);
}
