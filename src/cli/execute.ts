import type { AnyOperation } from '../contract/operation.js';
import { exposedInput, invoke, summarizeEnvelope, toEnvelope, verdictOf, type RunEnvelope } from '../contract/invoke.js';
import { TERMINAL } from '../engine/runs/record.js';
import { CancelledError, SkvmError, UsageError } from '../engine/util/errors.js';
import { redact, redactValue } from '../engine/util/redact.js';
import { EXIT } from './exit-codes.js';
import { parseFlagsOrThrow } from './flags.js';
import { cliText, type CliVocabulary } from './hints.js';
import type { CliIo } from './io.js';
import { createProgress } from './progress.js';

/**
 * Runs one operation for the terminal: flags → validated input → invoke → output.
 * Instant operations print their summary (or JSON); run operations wait until the run ends
 * (unless --wait-seconds) with progress on stderr, and Ctrl-C cancels the run.
 */

/** Where engine log lines go; execution points it at the progress display so the bar survives. */
export interface LogRoute {
  target: (line: string) => void;
}

const CANCEL_REASON = 'cancelled from the terminal (Ctrl-C)';
export interface ExecuteContext {
  /** The registry — or only `op` when the CLI took the fast path (quick-op.ts): run_status judges another's result. */
  operations: readonly AnyOperation[];
  /** Every tool and argument name: texts name other operations. */
  vocabulary: CliVocabulary;
  logRoute?: LogRoute;
}

export async function executeOperation(op: AnyOperation, tokens: readonly string[], io: CliIo, { operations, vocabulary, logRoute }: ExecuteContext): Promise<number> {
  const command = op.name.split('_').join(' ');
  const say = (text: string) => redact(cliText(text, vocabulary, op));
  const { value: input, provided } = parseFlagsOrThrow(tokens, exposedInput(op), command);
  for (const [key, value] of Object.entries(op.cliDefaults ?? {})) if (!provided.has(key)) input[key] = value;
  const engine = await io.engine();

  const progress = createProgress({ out: io.stderr, isTTY: io.isTTY, columns: io.columns, quiet: io.quiet });
  const previousTarget = logRoute?.target;
  if (logRoute) logRoute.target = (line) => progress.log(line);

  // Ctrl-C aborts the call; for a run that ends the wait, and the run is then cancelled below.
  const controller = new AbortController();
  let interrupts = 0;
  const offSignal = io.onSignal((signal) => {
    interrupts++;
    if (interrupts > 1) {
      progress.stop();
      io.stderr.write(`${signal === 'SIGINT' ? 'Interrupted again' : 'Terminated'}; exiting now.\n`);
      io.exitNow(1);
    }
    progress.log(op.mode === 'run' ? 'Cancelling the run… (press Ctrl-C again to exit at once)' : 'Cancelling… (press Ctrl-C again to exit at once)');
    controller.abort(new CancelledError(CANCEL_REASON));
  });

  const onProgress = (done: number, total: number | undefined, message: string | undefined) => {
    // A run that has not reported anything yet has nothing worth showing.
    if (done === 0 && total === undefined && !message) return;
    progress.update(done, total, message);
  };
  try {
    let output: unknown;
    if (op.mode === 'instant') {
      output = await invoke(op, engine, input, { signal: controller.signal, onProgress });
    } else {
      // The terminal waits for the run to end unless --wait-seconds asks for the handle.
      const waitMs = provided.has('waitSeconds') ? Number(input.waitSeconds) * 1000 : Infinity;
      let env = (await invoke(op, engine, input, { signal: controller.signal, onProgress, waitMs })) as RunEnvelope;
      if (interrupts > 0 && !TERMINAL.has(env.status)) {
        let rec = await engine.runs.cancel(env.runId, CANCEL_REASON);
        if (!TERMINAL.has(rec.status)) {
          // The work ignored the abort: stop it as this process exits (recorded as interrupted).
          await engine.runs.shutdown(CANCEL_REASON);
          rec = await engine.runs.get(env.runId);
        }
        env = toEnvelope(rec);
      }
      output = env;
    }
    progress.stop();

    if (io.json) io.stdout.write(`${JSON.stringify(redactValue(output), null, 2)}\n`);
    const verdict = verdictOf(op, output, operations);
    if (verdict.kind === 'failed') {
      io.stderr.write(`error: ${say(verdict.message)}\n`);
      if (verdict.hint) io.stderr.write(`hint: ${say(verdict.hint)}\n`);
      return EXIT.failed;
    }
    if (!io.json) {
      const style = { color: io.color ?? false };
      const text = op.mode === 'run' ? summarizeEnvelope(op, output as RunEnvelope, style) : op.summarize(output, style);
      io.stdout.write(`${say(text).trimEnd()}\n`);
    }
    const env = op.mode === 'run' ? (output as RunEnvelope) : undefined;
    if (env && !TERMINAL.has(env.status)) {
      io.stderr.write(
        `note: run ${env.runId} is still ${env.status}; it runs inside this CLI process, which is exiting, so it is recorded as interrupted. ` +
          'Start the command again without --wait-seconds to resume it.\n',
      );
    }
    if (verdict.kind === 'not-passed') {
      io.stderr.write(`not passed: ${say(verdict.message)}\n`);
      return EXIT.notPassed;
    }
    return EXIT.ok;
  } catch (err) {
    // An operation that threw: its message and hint, in the terminal's words.
    progress.stop();
    const message = err instanceof Error ? err.message : String(err);
    io.stderr.write(`${say(message || 'unknown error').split('\n').map((l) => `error: ${l}`).join('\n')}\n`);
    if (err instanceof SkvmError && err.hint) io.stderr.write(`hint: ${say(err.hint)}\n`);
    return err instanceof UsageError ? EXIT.usage : EXIT.failed;
  } finally {
    progress.stop();
    offSignal();
    if (logRoute && previousTarget) logRoute.target = previousTarget;
    if (op.mode === 'run' && engine.runs.activeIds().length > 0) await engine.runs.shutdown('the skvm CLI exited');
  }
}
