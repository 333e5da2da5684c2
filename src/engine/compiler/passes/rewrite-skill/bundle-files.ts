import * as path from 'node:path';
import { SKILL_FILE } from '../../../skills/load.js';
import { walkContained } from '../../../skills/walk.js';
import { readExcerpt } from './text.js';

/**
 * The skill's bundled text files, inlined into the rewrite prompt so the agent need not read them.
 * Bounded both per file and in total; a file over its share is cut (and marked), not dropped, and
 * files past the total budget are still named so the agent can read_file them.
 * Compiler outputs of earlier passes and earlier compiles are not part of the bundle.
 */

export const BUNDLE_FILE_MAX_BYTES = 10 * 1024;
export const BUNDLE_TOTAL_MAX_BYTES = 60 * 1024;

const TEXT_EXTENSIONS = new Set(['.md', '.json', '.py', '.sh', '.txt', '.yaml', '.yml', '.toml', '.js', '.mjs', '.ts', '.csv']);
const SKIP_TOP = new Set([SKILL_FILE, '_artifacts', '_profiling', '_meta', 'compilation-plan.json', 'meta.json', 'env-setup.sh', 'workflow-dag.md', 'jit-candidates.json', '.git']);

export interface BundleFile {
  rel: string;
  text: string;
  size: number;
  truncated: boolean;
}

export interface BundleListing {
  files: BundleFile[];
  /** Text files left out because the total budget was spent. */
  notInlined: string[];
}

export async function bundleFiles(workDir: string, opts: { fileMax?: number; totalMax?: number } = {}): Promise<BundleListing> {
  const fileMax = opts.fileMax ?? BUNDLE_FILE_MAX_BYTES;
  let left = opts.totalMax ?? BUNDLE_TOTAL_MAX_BYTES;
  const walked = await walkContained(workDir, {
    skip: (rel, name) => (!rel.includes('/') && (SKIP_TOP.has(name) || name.startsWith('.skvm-env-setup-attempt-'))) || name === '.DS_Store',
    maxFiles: 500,
  });
  const files: BundleFile[] = [];
  const notInlined: string[] = [];
  for (const f of walked.files) {
    if (!TEXT_EXTENSIONS.has(path.extname(f.rel).toLowerCase())) continue;
    if (left <= 0) {
      notInlined.push(f.rel);
      continue;
    }
    const excerpt = await readExcerpt(workDir, f.rel, Math.min(fileMax, left)).catch(() => undefined);
    if (!excerpt) continue;
    left -= Buffer.byteLength(excerpt.text);
    files.push({ rel: f.rel, ...excerpt });
  }
  return { files, notInlined };
}
