import type { AnyOperation } from '../contract/operation.js';
import type { Engine, EngineOptions } from '../engine/engine.js';
import { packageVersion } from '../engine/config/paths.js';
import { SkvmError, UsageError } from '../engine/util/errors.js';
import { redact } from '../engine/util/redact.js';
import { splitArgv } from './argv.js';
import { EXIT } from './exit-codes.js';
import { cliCommands, type CliCommand } from './commands/index.js';
import type { BaseIo, CliIo, StopSignal } from './io.js';

/**
 * The `skvm` command line: global flags, command lookup (generated from the operation
 * registry plus the CLI-only commands), help, and error/exit-code policy.
 * Exit codes: see exit-codes.ts.
 *
 * Only light modules are imported here; the operation registry, zod-based parsing, help and
 * the engine load on demand, so `skvm --version` starts instantly.
 */

export interface CliDeps {
  /** The operation registry (default: tools/index.ts). */
  operations?: readonly AnyOperation[];
  /** CLI-only commands (default: src/cli/commands/index.ts). */
  commands?: readonly CliCommand[];
  /** Engine factory (default: createEngine); tests pass a fake. */
  createEngine?: (opts: EngineOptions) => Engine;
}

export async function runCli(argv: readonly string[], base: BaseIo, deps: CliDeps = {}): Promise<number> {
  try {
    return await dispatch(argv, base, deps);
  } catch (err) {
    printError(base, err);
    return err instanceof UsageError ? EXIT.usage : EXIT.failed;
  }
}

async function dispatch(argv: readonly string[], base: BaseIo, deps: CliDeps): Promise<number> {
  const split = splitArgv(argv);
  const { globals } = split;
  if (split.errors.length > 0) throw new UsageError(split.errors.join('\n'), 'see skvm --help');
  if (globals.version && !globals.help) {
    base.stdout.write(`${packageVersion()}\n`);
    return EXIT.ok;
  }

  // One command per process: most schemas are parsed once, and zod's compiled fast path costs
  // more to build than it saves then (~2 ms for a profile's first parse alone).
  (await import('zod')).z.config({ jitless: true });
  const quick = deps.operations || globals.help ? undefined : await (await import('./quick-op.js')).loadOperationFor(split.words);
  const operations = quick ? [quick.op] : (deps.operations ?? (await import('../../tools/index.js')).operations);
  const commands = deps.commands ?? cliCommands;
  const [{ buildTable, resolveCommand, commandName }, help] = await Promise.all([import('./table.js'), import('./help.js')]);
  const table = buildTable(operations, commands);

  let words = split.words;
  let wantHelp = globals.help;
  if (!quick && words[0] === 'help' && resolveCommand(table, ['help']).kind !== 'found') {
    wantHelp = true;
    words = words.slice(1);
  }

  if (words.length === 0) {
    if (split.rest.length > 0) throw new UsageError(`expected a command before ${split.rest[0]}`, 'see skvm --help');
    if (wantHelp) {
      base.stdout.write(`${help.globalHelp(table, packageVersion())}\n`);
      return EXIT.ok;
    }
    base.stderr.write(`${help.globalHelp(table, packageVersion())}\n`);
    return EXIT.usage;
  }

  const found = resolveCommand(table, words);
  switch (found.kind) {
    case 'none':
    case 'unknown': {
      const typed = words.join(' ');
      const near = found.kind === 'unknown' ? found.suggestions : [];
      throw new UsageError(
        `unknown command "skvm ${typed}"`,
        `${near.length > 0 ? `did you mean ${near.map((n) => `"skvm ${n}"`).join(' or ')}? ` : ''}Run skvm --help for the list of commands.`,
      );
    }
    case 'group': {
      const text = help.groupHelp(found.prefix, found.members);
      if (wantHelp) {
        base.stdout.write(`${text}\n`);
        return EXIT.ok;
      }
      base.stderr.write(`error: "skvm ${found.prefix.join(' ')}" needs a subcommand\n${text}\n`);
      return EXIT.usage;
    }
    case 'found':
      break;
  }

  const entry = found.entry;
  const name = commandName(entry);
  if (wantHelp) {
    base.stdout.write(`${entry.kind === 'op' ? help.operationHelp(entry.op) : entry.command.help.trimEnd()}\n`);
    return EXIT.ok;
  }
  if (found.extra.length > 0) {
    throw new UsageError(`unexpected argument "${found.extra[0]}" for skvm ${name} (values are passed as --key=value)`, `see skvm ${name} --help`);
  }

  const logRoute = { target: (line: string) => base.stderr.write(`${line}\n`) };
  let engine: Promise<Engine> | undefined;
  const io: CliIo = {
    ...base,
    json: globals.json,
    quiet: globals.quiet,
    engine: () =>
      (engine ??= (async () => {
        const [{ createEngine }, { createLogger, parseLogLevel }] = await Promise.all([import('../engine/engine.js'), import('../engine/util/log.js')]);
        const log = createLogger({
          level: parseLogLevel(base.env.SKVM_LOG_LEVEL, globals.quiet ? 'warn' : 'info'),
          sink: { write: (_level, line) => logRoute.target(line) },
        });
        return (deps.createEngine ?? createEngine)({ flags: split.rootFlags, env: base.env, log });
      })()),
    untilSignal: () =>
      new Promise<StopSignal>((resolve) => {
        const off = base.onSignal((signal) => {
          off();
          resolve(signal);
        });
      }),
  };

  if (entry.kind === 'cli') return entry.command.run(split.rest, io);
  const [{ executeOperation }, { vocabularyOf }] = await Promise.all([import('./execute.js'), import('./hints.js')]);
  return executeOperation(entry.op, split.rest, io, { operations, vocabulary: quick?.vocabulary ?? vocabularyOf(operations), logRoute });
}

/** `error: <message>` (one line per message line) and `hint: <hint>`, secrets redacted. */
export function printError(io: Pick<BaseIo, 'stderr'>, err: unknown): void {
  const message = err instanceof Error ? err.message : String(err);
  const lines = redact(message || 'unknown error').split('\n');
  io.stderr.write(lines.map((l) => `error: ${l}`).join('\n') + '\n');
  const hint = err instanceof SkvmError ? err.hint : undefined;
  if (hint) io.stderr.write(`hint: ${redact(hint)}\n`);
}
