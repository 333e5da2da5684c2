import { modelDirKey } from '../src/engine/config/paths.js';
import { UsageError } from '../src/engine/util/errors.js';

/** Template variables and completion values shared by resource families. */

/** MCP caps a completion at 100 values. */
export const MAX_COMPLETIONS = 100;

/** A variable that may still be percent-encoded (the server decodes; direct callers may not). */
export function decode(value: string): string {
  if (!value.includes('%')) return value;
  try {
    return decodeURIComponent(value);
  } catch {
    throw new UsageError(`"${value}" is not a valid URI component.`);
  }
}

/** Model directory name typed as a model id → its directory form, for prefix matching. */
export function asDirPrefix(value: string): string {
  return modelDirKey(decode(value)).toLowerCase();
}

/** Distinct values starting with `prefix` (case-insensitive), at most MAX_COMPLETIONS. */
export function completions(values: Iterable<string>, prefix: string): string[] {
  const p = prefix.toLowerCase();
  return [...new Set(values)].filter((v) => v.toLowerCase().startsWith(p)).slice(0, MAX_COMPLETIONS);
}
