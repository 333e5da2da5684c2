import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import { benchRoot } from '../../bench/session-id.js';
import { sessionIds } from '../../bench/sessions.js';
import { readProgress } from '../../bench/progress.js';
import { safeModelName } from '../../config/paths.js';
import { isInside } from '../../sandbox/index.js';
import { errorMessage } from '../../util/errors.js';
import { lstatOrNull } from '../../util/fs.js';
import { JIT_BOOST_CONDITION } from '../../bench/jit-boost.js';
import { statePath } from './storage.js';

/**
 * clean_jit (spec runtime §6.3, last bullet), with the reference's wrong tree fixed (§10 item
 * 11): for one model + harness it removes
 *  - the runtime conversation logs `<logs>/runtime/<harness>/<safeModel>/`;
 *  - the jit-boost solidification state of every skill that ran in a jit-boost bench cell with
 *    that model and harness — `<proposals>/jit-boost/<skillId>/solidification-state.json`, where
 *    the state really lives (candidates are kept: they are model-agnostic);
 *  - with `includeBenchLogs`, the bench sessions of that model and harness.
 * Every target is resolved (links included) and must lie inside the logs or proposals root;
 * anything else is refused and reported, never deleted.
 */

export type CleanTargetKind = 'runtime-logs' | 'boost-state' | 'bench-session';

export interface CleanTarget {
  kind: CleanTargetKind;
  path: string;
  /** The skill whose state this is (boost-state). */
  skillId?: string;
}

export interface CleanPlan {
  targets: CleanTarget[];
  /** What was looked at but left alone, and why. */
  notes: string[];
}

export interface CleanJitOptions {
  logsRoot: string;
  proposalsRoot: string;
  model: string;
  adapter: string;
  includeBenchLogs?: boolean;
}

export async function planCleanJit(opts: CleanJitOptions): Promise<CleanPlan> {
  const targets: CleanTarget[] = [];
  const notes: string[] = [];
  const add = async (t: CleanTarget, root: string) => {
    if (!(await lstatOrNull(t.path))) return;
    const why = await outsideRoot(t.path, root);
    if (why) notes.push(`refused ${t.path}: ${why}`);
    else targets.push(t);
  };

  await add({ kind: 'runtime-logs', path: path.join(opts.logsRoot, 'runtime', opts.adapter, safeModelName(opts.model)) }, opts.logsRoot);

  const skills = new Set<string>();
  for (const id of await sessionIds(opts.logsRoot)) {
    const dir = path.join(benchRoot(opts.logsRoot), id);
    let progress;
    try {
      progress = await readProgress(dir);
    } catch (err) {
      notes.push(`skipped bench session ${id}: ${errorMessage(err)}`);
      continue;
    }
    if (!progress || progress.model !== opts.model || progress.adapter !== opts.adapter) continue;
    for (const e of progress.entries) if (e.condition === JIT_BOOST_CONDITION && e.result.skillId) skills.add(e.result.skillId);
    if (opts.includeBenchLogs) await add({ kind: 'bench-session', path: dir }, opts.logsRoot);
  }
  for (const skillId of [...skills].sort()) {
    let file: string;
    try {
      file = statePath(opts.proposalsRoot, skillId);
    } catch (err) {
      notes.push(`skipped skill id ${JSON.stringify(skillId)}: ${errorMessage(err)}`);
      continue;
    }
    await add({ kind: 'boost-state', path: file, skillId }, opts.proposalsRoot);
  }
  return { targets, notes };
}

/** Deletes the plan's targets; each failure is reported, the others still go. */
export async function executeCleanJit(plan: CleanPlan): Promise<{ deleted: CleanTarget[]; failed: Array<{ target: CleanTarget; error: string }> }> {
  const deleted: CleanTarget[] = [];
  const failed: Array<{ target: CleanTarget; error: string }> = [];
  for (const t of plan.targets) {
    try {
      await fsp.rm(t.path, { recursive: true, force: true });
      deleted.push(t);
    } catch (err) {
      failed.push({ target: t, error: errorMessage(err) });
    }
  }
  return { deleted, failed };
}

/** Why `target` (after resolving every link in its parent) is not strictly inside `root`, or undefined. */
async function outsideRoot(target: string, root: string): Promise<string | undefined> {
  const realRoot = await fsp.realpath(root);
  // The parent is resolved, the last component is not: a link there is removed itself, never followed.
  const real = path.join(await fsp.realpath(path.dirname(target)), path.basename(target));
  if (real === realRoot || !isInside(realRoot, real)) return `it resolves to ${real}, outside ${realRoot}`;
  return undefined;
}
