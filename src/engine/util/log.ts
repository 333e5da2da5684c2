import { redact } from './redact.js';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
const ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export interface Logger {
  debug(msg: string): void;
  info(msg: string): void;
  warn(msg: string): void;
  error(msg: string): void;
  /** A logger whose lines carry a prefix (e.g. the run id). */
  child(prefix: string): Logger;
}

export interface LogSink {
  write(level: LogLevel, line: string): void;
}

/** stdout is the MCP protocol channel, so every log line goes to stderr. */
export const stderrSink: LogSink = {
  write(_level, line) {
    process.stderr.write(line + '\n');
  },
};

export function parseLogLevel(value: string | undefined, fallback: LogLevel = 'info'): LogLevel {
  const v = value?.toLowerCase();
  return v === 'debug' || v === 'info' || v === 'warn' || v === 'error' ? v : fallback;
}

export function createLogger(opts: { level?: LogLevel; sink?: LogSink; prefix?: string } = {}): Logger {
  const level = opts.level ?? 'info';
  const sink = opts.sink ?? stderrSink;
  const prefix = opts.prefix ?? 'skvm';
  const emit = (lvl: LogLevel, msg: string) => {
    if (ORDER[lvl] < ORDER[level]) return;
    sink.write(lvl, redact(`[${prefix}] ${lvl === 'info' ? '' : lvl + ': '}${msg}`));
  };
  return {
    debug: (m) => emit('debug', m),
    info: (m) => emit('info', m),
    warn: (m) => emit('warn', m),
    error: (m) => emit('error', m),
    child: (p) => createLogger({ level, sink, prefix: `${prefix}:${p}` }),
  };
}

/** A logger that drops everything (tests, quiet CLI mode). */
export const silentLogger: Logger = {
  debug() {},
  info() {},
  warn() {},
  error() {},
  child() {
    return silentLogger;
  },
};

/** A logger that also hands every line (any level) to `onLine`, e.g. a run's event log. */
export function teeLogger(base: Logger, onLine: (level: LogLevel, msg: string) => void): Logger {
  const at = (level: LogLevel) => (msg: string) => {
    base[level](msg);
    onLine(level, msg);
  };
  return {
    debug: at('debug'),
    info: at('info'),
    warn: at('warn'),
    error: at('error'),
    child: (p) => teeLogger(base.child(p), (level, msg) => onLine(level, `[${p}] ${msg}`)),
  };
}
