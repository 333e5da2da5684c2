import { promises as fsp } from 'node:fs';
import { sleep } from './abort.js';
import { SkvmError } from './errors.js';

const STALE_MS = 30_000;

/**
 * Cross-process exclusive section around a file: `<file>.lock` created with O_EXCL. A lock
 * older than 30 s is considered abandoned by a crashed writer and taken over.
 */
export async function withFileLock<T>(file: string, fn: () => Promise<T>, timeoutMs = 5_000): Promise<T> {
  const lock = `${file}.lock`;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const h = await fsp.open(lock, 'wx', 0o600);
      await h.writeFile(String(process.pid));
      await h.close();
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const st = await fsp.stat(lock).catch(() => undefined);
      if (st && Date.now() - st.mtimeMs > STALE_MS) {
        await fsp.rm(lock, { force: true });
        continue;
      }
      if (Date.now() > deadline) {
        throw new SkvmError(`${file} is locked by another process.`, { hint: `If no other skvm process is writing it, delete ${lock}.` });
      }
      await sleep(50);
    }
  }
  try {
    return await fn();
  } finally {
    await fsp.rm(lock, { force: true });
  }
}
