import { promises as fsp } from 'node:fs';
import { walkContained } from '../../../skills/walk.js';
import type { BundleFile } from './import-scan.js';

/**
 * The skill bundle as text for dependency extraction. Left out: compiler and profiler folders,
 * VCS and installed packages, binaries, large files, SKILL.md (the caller passes its current
 * text), and what a compile itself writes — an old env-setup.sh or plan fed back in would make
 * the model "find" the previous compile's dependencies.
 */

const SKIPPED_DIRS: ReadonlySet<string> = new Set(['_profiling', '_artifacts', 'node_modules', '.git']);
const OWN_OUTPUTS: ReadonlySet<string> = new Set(['SKILL.md', 'env-setup.sh', 'compilation-plan.json', 'meta.json', 'workflow-dag.md', 'jit-candidates.json']);
const ATTEMPT_SCRIPT = /^\.skvm-env-setup-attempt-\d+\.sh$/;
const BINARY_EXT = /\.(png|jpe?g|gif|webp|bmp|ico|pdf|zip|tar|gz|tgz|bz2|xz|7z|bin|exe|dll|so|dylib|woff2?|ttf|otf|mp[34]|wav|ogg|pyc|class|jar|sqlite|db)$/i;
export const MAX_FILE_BYTES = 64 * 1024;
/** Total text handed to the model; files past it are listed as left out. */
export const MAX_CONTEXT_CHARS = 256 * 1024;

export interface Bundle {
  files: BundleFile[];
  /** Why files were left out (size, binary content, the context budget). */
  notes: string[];
}

function skipPath(rel: string, name: string): boolean {
  if (SKIPPED_DIRS.has(name)) return true;
  if (!rel.includes('/') && OWN_OUTPUTS.has(name)) return true;
  return ATTEMPT_SCRIPT.test(name);
}

export async function readBundle(workDir: string): Promise<Bundle> {
  const walked = await walkContained(workDir, { skip: skipPath });
  const notes = [...walked.notes];
  const files: BundleFile[] = [];
  for (const f of walked.files) {
    if (BINARY_EXT.test(f.rel)) continue;
    const stat = await fsp.stat(f.source);
    if (stat.size > MAX_FILE_BYTES) {
      notes.push(`skipped ${f.rel}: larger than ${MAX_FILE_BYTES / 1024} KB`);
      continue;
    }
    const bytes = await fsp.readFile(f.source);
    if (bytes.includes(0)) continue; // binary content under a text name
    files.push({ rel: f.rel, content: bytes.toString('utf8') });
  }
  return { files, notes };
}

/** `--- SKILL.md ---` then `--- <path> ---` per file, blank-line separated, within the budget. */
export function bundleContext(skillContent: string, bundle: Bundle): { text: string; leftOut: string[] } {
  const parts = [`--- SKILL.md ---\n${skillContent}`];
  let size = parts[0]!.length;
  const leftOut: string[] = [];
  for (const f of bundle.files) {
    const part = `--- ${f.rel} ---\n${f.content}`;
    if (size + part.length > MAX_CONTEXT_CHARS) {
      leftOut.push(f.rel);
      continue;
    }
    parts.push(part);
    size += part.length + 2;
  }
  return { text: parts.join('\n\n'), leftOut };
}
