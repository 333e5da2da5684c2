import { promises as fsp } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { createWorkDir, removeWorkDir } from '../sandbox/index.js';
import type { EvalContext, EvalSpace } from './types.js';

/**
 * Copy-on-evaluate. Graders that run code never touch the agent's work dir: each gets a fresh
 * private copy of it (`<root>/workspace`) plus a scratch dir beside the copy (`<root>/grader`)
 * for runner scripts, transcripts and reports. The agent's work dir stays exactly as the agent
 * left it, so later criteria, the LLM judge and evidence snapshots never see grader artefacts,
 * and a grader that deletes or rewrites files cannot influence the next criterion.
 */

export const WORKSPACE_DIR = 'workspace';
export const GRADER_DIR = 'grader';

export async function createEvalSpace(agentWorkDir: string, tmpRoot?: string): Promise<EvalSpace> {
  const root = await createWorkDir({ tmpRoot: tmpRoot ?? tmpdir(), prefix: 'skvm-eval-' });
  try {
    const workspace = path.join(root, WORKSPACE_DIR);
    const graderDir = path.join(root, GRADER_DIR);
    await fsp.mkdir(graderDir, { recursive: true });
    await copyTree(agentWorkDir, workspace);
    return { root, workspace, graderDir };
  } catch (err) {
    await removeWorkDir(root).catch(() => undefined);
    throw err;
  }
}

export async function disposeEvalSpace(space: EvalSpace): Promise<void> {
  await removeWorkDir(space.root).catch(() => undefined);
}

/**
 * Runs `fn` with a context whose `workDir` is a private copy. Reuses `ctx.evalSpace` when the
 * caller (evaluateAll) already made one; otherwise makes one and removes it afterwards.
 */
export async function withEvalSpace<T>(ctx: EvalContext, fn: (space: EvalSpace, ctx: EvalContext) => Promise<T>): Promise<T> {
  if (ctx.evalSpace) return fn(ctx.evalSpace, { ...ctx, workDir: ctx.evalSpace.workspace });
  const space = await createEvalSpace(ctx.workDir, ctx.tmpRoot);
  try {
    return await fn(space, { ...ctx, workDir: space.workspace, evalSpace: space });
  } finally {
    await disposeEvalSpace(space);
  }
}

/** Recursive copy; symlinks are copied as links (never followed), timestamps kept. */
async function copyTree(from: string, to: string): Promise<void> {
  const st = await fsp.stat(from).catch(() => undefined);
  if (!st?.isDirectory()) {
    // No work dir (an agent that never wrote anything still gets graded): an empty workspace.
    await fsp.mkdir(to, { recursive: true });
    return;
  }
  await fsp.cp(from, to, {
    recursive: true,
    verbatimSymlinks: true,
    preserveTimestamps: true,
    errorOnExist: false,
    force: true,
    // Sockets, FIFOs and devices an agent left behind cannot be copied (and a FIFO would block).
    filter: async (src) => {
      const st = await fsp.lstat(src).catch(() => undefined);
      return !!st && (st.isFile() || st.isDirectory() || st.isSymbolicLink());
    },
  });
}
