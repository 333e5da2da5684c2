import type { AnyOperation } from '../contract/operation.js';
import { manifestCatalog, MANIFEST_PATH } from '../server/manifest.js';

/**
 * Start-up fast path: `skvm <command> --flags` loads only that command's operation module
 * (`tools/<name>.js`, one operation per file), found through the build's tool manifest, instead
 * of the whole registry — every tool module and its zod schemas, ~30 ms of a profile's start-up
 * and more with each tool added. Only an exact command qualifies (all its words consumed);
 * help, groups, typos, CLI-only commands and a missing or stale manifest take the long way, so
 * their messages come from the full command table.
 */
export async function loadOperationFor(words: readonly string[], manifest: string = MANIFEST_PATH): Promise<AnyOperation | undefined> {
  if (words.length === 0) return undefined;
  const catalog = manifestCatalog(() => Promise.reject(new Error('not loaded here')), manifest);
  if (!catalog) return undefined;
  const name = words.flatMap((w) => w.split('-')).join('_');
  if (!catalog.listing.tools.some((t) => t.name === name)) return undefined;
  const mod = (await import(new URL(`../../tools/${name}.js`, import.meta.url).href)) as Record<string, unknown>;
  return Object.values(mod).find((v): v is AnyOperation => isOperationNamed(v, name));
}

function isOperationNamed(v: unknown, name: string): boolean {
  return typeof v === 'object' && v !== null && (v as { name?: unknown }).name === name && typeof (v as { handler?: unknown }).handler === 'function';
}
