import type { Engine } from '../engine/engine.js';
import { describeError } from '../engine/util/errors.js';

interface Closable {
  close(): Promise<void>;
}

/**
 * Serve until the host goes away: stdin ending (the host closed the pipe), SIGTERM or SIGINT.
 * On the way out, runs of this process are stopped and recorded as interrupted so they can be
 * resumed, then the process exits 0.
 */
export function serveUntilClosed(engine: Engine, serve: () => Closable): void {
  const handle = serve();
  engine.log.debug(`skvm-mcp serving on stdio (cache ${engine.roots.cache.value})`);
  // Mark runs left running by dead processes; not awaited so the handshake is not delayed.
  setImmediate(() => void engine.runs.init().catch((err) => engine.log.warn(`runs: ${describeError(err)}`)));

  let stopping = false;
  const stop = (why: string) => {
    if (stopping) return;
    stopping = true;
    engine.log.debug(`stopping: ${why}`);
    const hardExit = setTimeout(() => process.exit(0), 5_000);
    hardExit.unref();
    void (async () => {
      try {
        await engine.runs.shutdown(why);
        await handle.close();
      } catch (err) {
        engine.log.warn(`shutdown: ${describeError(err)}`);
      }
      process.exit(0);
    })();
  };
  process.stdin.on('end', () => stop('stdin ended'));
  process.stdin.on('close', () => stop('stdin closed'));
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}
