import { accessSync, constants, statSync } from 'node:fs';
import * as path from 'node:path';

/** First executable named `cmd` on PATH (or `cmd` itself when it is a path), else undefined. */
export function which(cmd: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const candidates = cmd.includes('/') ? [path.resolve(cmd)] : (env.PATH ?? '').split(path.delimiter).filter(Boolean).map((d) => path.join(d, cmd));
  for (const c of candidates) {
    try {
      if (!statSync(c).isFile()) continue;
      accessSync(c, constants.X_OK);
      return c;
    } catch {
      // not here
    }
  }
  return undefined;
}
