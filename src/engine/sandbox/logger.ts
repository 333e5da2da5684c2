/** Where the sandbox reports its one-time warnings (default: nowhere). */
export interface SandboxLogger {
  warn(msg: string): void;
}

let logger: SandboxLogger | undefined;
const warned = new Set<string>();

export function setSandboxLogger(l: SandboxLogger | undefined): void {
  logger = l;
}

/** Logs `msg` the first time `key` is seen in this process (once a logger is set). */
export function warnOnce(key: string, msg: string): void {
  if (!logger || warned.has(key)) return;
  warned.add(key);
  logger.warn(msg);
}
