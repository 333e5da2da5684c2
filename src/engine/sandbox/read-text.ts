import * as path from 'node:path';
import { UsageError, errorMessage } from '../util/errors.js';
import { openForRead } from './open.js';

/**
 * A text file served to a client (a resource read): opened confined to `realRoot` (no link
 * followed), at most `maxBytes`, refused when binary. Errors name it `name` (of `owner`).
 */
export async function readConfinedText(realRoot: string, rel: string, maxBytes: number, name: string, owner: string): Promise<{ text: string; bytes: number }> {
  const opened = await openForRead(realRoot, rel).catch((err: unknown) => {
    throw new UsageError(`${name} of ${owner} cannot be read: ${errorMessage(err)}`);
  });
  const onDisk = path.join(realRoot, rel);
  try {
    if (opened.stat.size > maxBytes) {
      throw new UsageError(`${name} is ${opened.stat.size} bytes; files over ${maxBytes} bytes are not served.`, `Open it on disk: ${onDisk}`);
    }
    const buf = await opened.handle.readFile();
    try {
      if (buf.includes(0)) throw new Error('NUL byte');
      return { text: new TextDecoder('utf-8', { fatal: true }).decode(buf), bytes: buf.length };
    } catch {
      throw new UsageError(`${name} is not a text file; only text files are served.`, `Open it on disk: ${onDisk}`);
    }
  } finally {
    await opened.handle.close();
  }
}
