import type { Engine } from '../engine/engine.js';
import { describeError } from '../engine/util/errors.js';

interface Closable {
  close(): Promise<void>;
}

/** The engine, created on first use, so the handshake never waits for it. */
export interface LazyEngine {
  get(): Promise<Engine>;
  /** The engine if something already asked for it. */
  started(): Promise<Engine> | undefined;
}

export function lazyEngine(create: () => Promise<Engine>): LazyEngine {
  let engine: Promise<Engine> | undefined;
  return { get: () => (engine ??= create()), started: () => engine };
}

/** How long after start-up the engine and the registries are loaded anyway, ready for the first call. */
const WARM_UP_MS = 100;

/**
 * Serve until the host goes away: stdin ending (the host closed the pipe), SIGTERM or SIGINT.
 * Shortly after start (once the handshake is answered) `warmUp` loads what calls need. On the
 * way out, runs of this process are stopped and recorded as interrupted so they can be
 * resumed, then the process exits 0.
 */
export function serveUntilClosed(engine: LazyEngine, serve: () => Closable, warmUp: () => Promise<unknown> = () => engine.get()): void {
  const handle = serve();
  const warm = setTimeout(() => {
    warmUp().catch((err) => process.stderr.write(`skvm-mcp: ${describeError(err)}\n`));
  }, WARM_UP_MS);

  let stopping = false;
  const stop = (why: string) => {
    if (stopping) return;
    stopping = true;
    clearTimeout(warm);
    const hardExit = setTimeout(() => process.exit(0), 5_000);
    hardExit.unref();
    void (async () => {
      try {
        const started = await engine.started()?.catch(() => undefined);
        started?.log.debug(`stopping: ${why}`);
        await started?.runs.shutdown(why);
        await handle.close();
      } catch (err) {
        process.stderr.write(`skvm-mcp: shutdown: ${describeError(err)}\n`);
      }
      process.exit(0);
    })();
  };
  process.stdin.on('end', () => stop('stdin ended'));
  process.stdin.on('close', () => stop('stdin closed'));
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}
