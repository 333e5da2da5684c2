import { promises as fsp } from 'node:fs';
import * as path from 'node:path';

/** Test helpers: files of a hand-made `<proposals>/aot-compile/` tree. */

/** Writes `<proposals>/aot-compile/<rel>` (parents created). */
export async function putAotFile(proposalsRoot: string, rel: string, content: string | Buffer): Promise<void> {
  const file = path.join(proposalsRoot, 'aot-compile', rel);
  await fsp.mkdir(path.dirname(file), { recursive: true });
  await fsp.writeFile(file, content);
}

/** A meta.json as the compiler writes it. */
export function variantMetaJson(compiledAt: string, passes: number[], extra: Record<string, unknown> = {}): string {
  return JSON.stringify({
    compiledAt,
    model: 'openrouter/qwen/qwen3.5-9b',
    harness: 'bare-agent',
    passes,
    passTag: passes.map((n) => `p${n}`).join(''),
    costUsd: 0.012,
    durationMs: 900,
    guardPassed: true,
    ...extra,
  });
}
