import type { AnyOperation } from '../contract/operation.js';
import type { CliVocabulary } from './hints.js';
import { manifestCatalog, MANIFEST_PATH } from '../server/manifest.js';

/**
 * Start-up fast path: `skvm <command> --flags` loads only that command's operation module
 * (`tools/<name>.js`, one operation per file), found through the build's tool manifest, instead
 * of the whole registry — every tool module and its zod schemas, ~30 ms of a profile's start-up
 * and more with each tool added. Only an exact command qualifies (all its words consumed);
 * help, groups, typos, CLI-only commands and a missing or stale manifest take the long way, so
 * their messages come from the full command table.
 */
export interface QuickOperation {
  op: AnyOperation;
  /** Every tool and argument name, from the manifest, for the terminal's texts (hints.ts). */
  vocabulary: CliVocabulary;
}

export async function loadOperationFor(words: readonly string[], manifest: string = MANIFEST_PATH): Promise<QuickOperation | undefined> {
  if (words.length === 0) return undefined;
  const catalog = manifestCatalog(() => Promise.reject(new Error('not loaded here')), manifest);
  if (!catalog) return undefined;
  const { tools } = catalog.listing;
  const name = words.flatMap((w) => w.split('-')).join('_');
  if (!tools.some((t) => t.name === name)) return undefined;
  // A template the bundler can follow (each tool module becomes a chunk of dist/bin); `name` is a listed tool.
  const mod = (await import(`../../tools/${name}.js`)) as Record<string, unknown>;
  const op = Object.values(mod).find((v): v is AnyOperation => isOperationNamed(v, name));
  // A verdict that takes `find` judges another operation's result (run_status): it needs them all.
  if (!op || (op.verdict?.length ?? 0) > 1) return undefined;
  const args = tools.flatMap((t) => Object.keys((t.inputSchema.properties as Record<string, unknown> | undefined) ?? {}));
  return { op, vocabulary: { tools: tools.map((t) => t.name), args: [...new Set(args)] } };
}

function isOperationNamed(v: unknown, name: string): boolean {
  return typeof v === 'object' && v !== null && (v as { name?: unknown }).name === name && typeof (v as { handler?: unknown }).handler === 'function';
}
