import type { TextOut } from './io.js';

/**
 * Progress on stderr. On a terminal: one bar redrawn in place (`[#####-----] 12/78 message`)
 * and cleared at the end; log lines are printed above it. Piped: plain lines
 * (`progress 12/78 message`), only when something changed and at most ~4 per second, the
 * latest state being printed when the throttle window ends.
 */

export interface Progress {
  update(done: number, total?: number, message?: string): void;
  /** A log line: printed without breaking the bar. */
  log(line: string): void;
  /** Stop: clear the bar (TTY) or print a pending change (piped). Idempotent. */
  stop(): void;
}

export interface ProgressOptions {
  out: TextOut;
  isTTY: boolean;
  columns?: number;
  quiet?: boolean;
  /** Minimum time between piped lines (default 250 ms = 4 per second). */
  lineIntervalMs?: number;
  /** Minimum time between redraws of the bar (default 80 ms). */
  redrawIntervalMs?: number;
  now?: () => number;
}

interface State {
  done: number;
  total?: number;
  message?: string;
}

const BAR_WIDTH = 20;
const CLEAR_LINE = '\r\x1b[2K';

export function formatBar(s: State, columns: number): string {
  let bar: string;
  let count: string;
  if (s.total !== undefined && s.total > 0) {
    const filled = Math.max(0, Math.min(BAR_WIDTH, Math.round((s.done / s.total) * BAR_WIDTH)));
    bar = '#'.repeat(filled) + '-'.repeat(BAR_WIDTH - filled);
    count = `${s.done}/${s.total}`;
  } else {
    bar = '-'.repeat(BAR_WIDTH);
    count = `${s.done}`;
  }
  const line = `[${bar}] ${count}${s.message ? ` ${oneLine(s.message)}` : ''}`;
  const max = Math.max(20, columns - 1);
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}

export function formatLine(s: State): string {
  const count = s.total !== undefined ? `${s.done}/${s.total}` : `${s.done}`;
  return `progress ${count}${s.message ? ` ${oneLine(s.message)}` : ''}`;
}

function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ').trim();
}

export function createProgress(opts: ProgressOptions): Progress {
  const out = opts.out;
  const now = opts.now ?? Date.now;
  if (opts.quiet) {
    return { update() {}, log: (line) => out.write(`${line}\n`), stop() {} };
  }
  return opts.isTTY ? ttyProgress(opts, out, now) : pipedProgress(opts, out, now);
}

function ttyProgress(opts: ProgressOptions, out: TextOut, now: () => number): Progress {
  const interval = opts.redrawIntervalMs ?? 80;
  const columns = opts.columns ?? 80;
  let state: State | undefined;
  let shown = false;
  let lastDraw = -Infinity;
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;

  const draw = () => {
    if (!state || stopped) return;
    lastDraw = now();
    out.write(`${CLEAR_LINE}${formatBar(state, columns)}`);
    shown = true;
  };
  return {
    update(done, total, message) {
      if (stopped) return;
      state = { done, total: total ?? state?.total, message: message ?? state?.message };
      const wait = lastDraw + interval - now();
      if (wait <= 0) draw();
      else if (!timer) {
        timer = setTimeout(() => {
          timer = undefined;
          draw();
        }, wait);
        timer.unref?.();
      }
    },
    log(line) {
      if (shown) out.write(CLEAR_LINE);
      out.write(`${line}\n`);
      if (shown && !stopped) out.write(formatBar(state!, columns));
    },
    stop() {
      if (stopped) return;
      stopped = true;
      if (timer) clearTimeout(timer);
      timer = undefined;
      if (shown) out.write(CLEAR_LINE);
      shown = false;
    },
  };
}

function pipedProgress(opts: ProgressOptions, out: TextOut, now: () => number): Progress {
  const interval = opts.lineIntervalMs ?? 250;
  let state: State | undefined;
  let printedKey: string | undefined;
  let lastPrint = -Infinity;
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;

  const flush = () => {
    if (!state) return;
    const line = formatLine(state);
    if (line === printedKey) return;
    printedKey = line;
    lastPrint = now();
    out.write(`${line}\n`);
  };
  return {
    update(done, total, message) {
      if (stopped) return;
      state = { done, total: total ?? state?.total, message: message ?? state?.message };
      if (formatLine(state) === printedKey) return;
      const wait = lastPrint + interval - now();
      if (wait <= 0) flush();
      else if (!timer) {
        timer = setTimeout(() => {
          timer = undefined;
          if (!stopped) flush();
        }, wait);
        timer.unref?.();
      }
    },
    log(line) {
      out.write(`${line}\n`);
    },
    stop() {
      if (stopped) return;
      stopped = true;
      if (timer) {
        clearTimeout(timer);
        timer = undefined;
        flush();
      }
    },
  };
}
