import { openForWrite } from './open.js';

/**
 * Replaces (or creates, with missing folders) a file inside `root`, a path relative to it,
 * without following a link anything there may have planted (openForWrite): for the engine's
 * writes into a folder that belongs to a command identity or holds untrusted content.
 */
export async function writeConfinedText(root: string, rel: string, data: string | Uint8Array): Promise<void> {
  const { handle } = await openForWrite(root, rel);
  try {
    await handle.truncate(0);
    await handle.writeFile(data);
  } finally {
    await handle.close();
  }
}
