import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';

/**
 * Finding a test's processes on the host, whichever sandbox ran them: a test passes
 * `SKVM_TEST_MARK=<mark>` in the command's environment, then looks for every process that
 * still carries it.
 */
export const newMark = (): string => randomBytes(8).toString('hex');

/** Host pids whose environment carries `SKVM_TEST_MARK=<mark>`. */
export function survivors(mark: string): number[] {
  const needle = Buffer.from(`SKVM_TEST_MARK=${mark}`);
  const out: number[] = [];
  for (const n of readdirSync('/proc')) {
    if (!/^\d+$/.test(n)) continue;
    try {
      if (readFileSync(`/proc/${n}/environ`).includes(needle)) out.push(Number(n));
    } catch {
      // gone, or not ours to read
    }
  }
  return out;
}
