import { CancelledError } from '../../../util/errors.js';

/**
 * An output a harness may finish writing only after its process exited (OpenClaw's session
 * transcript: the reference looks 10 times, 1 s apart — spec runtime §2.8). Looks every
 * `pollMs` (100 ms by default, so a transcript that lands 150 ms late costs 200 ms, not a
 * second) until `complete` accepts what `look` found, for at most `timeoutMs`; then returns
 * the last thing found, complete or not, or undefined. Rejects with CancelledError as soon as
 * `signal` aborts.
 */
export async function awaitLateOutput<T>(look: () => Promise<T | undefined>, complete: (found: T) => boolean, o: { timeoutMs: number; pollMs?: number; signal?: AbortSignal }): Promise<T | undefined> {
  const deadline = Date.now() + o.timeoutMs;
  for (;;) {
    if (o.signal?.aborted) throw new CancelledError(o.signal.reason);
    const found = await look();
    if ((found !== undefined && complete(found)) || Date.now() >= deadline) return found;
    await pause(Math.min(o.pollMs ?? 100, Math.max(0, deadline - Date.now())), o.signal);
  }
}

/** Sleeps `ms`, waking early when `signal` aborts (the caller then throws). */
function pause(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}
