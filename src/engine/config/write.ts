import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import { withFileLock } from '../util/lock.js';
import { writeJsonAtomic } from '../util/fs.js';
import { ConfigSchema, formatIssues, type SkvmConfig } from './schema.js';
import { ConfigError } from './load.js';

const KEEP_BACKUPS = 5;

/**
 * Write skvm.config.json with mode 0600 (it may hold keys), under a lock, after validating
 * it. An existing file is first copied to `skvm.config.json.bak.<epoch-ms>` (newest 5 kept).
 * Returns the backup path, if one was made.
 */
export async function writeConfigFile(file: string, config: SkvmConfig): Promise<string | undefined> {
  const parsed = ConfigSchema.safeParse(config);
  if (!parsed.success) throw new ConfigError(file, formatIssues(parsed.error));
  await fsp.mkdir(path.dirname(file), { recursive: true });
  return withFileLock(file, async () => {
    let backup: string | undefined;
    try {
      const old = await fsp.readFile(file);
      backup = `${file}.bak.${Date.now()}`;
      await fsp.writeFile(backup, old, { mode: 0o600 });
      await pruneBackups(file);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
    await writeJsonAtomic(file, config, 0o600);
    return backup;
  });
}

async function pruneBackups(file: string): Promise<void> {
  const dir = path.dirname(file);
  const prefix = `${path.basename(file)}.bak.`;
  const backups = (await fsp.readdir(dir))
    .filter((n) => n.startsWith(prefix) && /^\d+$/.test(n.slice(prefix.length)))
    .sort((a, b) => Number(b.slice(prefix.length)) - Number(a.slice(prefix.length)));
  for (const old of backups.slice(KEEP_BACKUPS)) await fsp.rm(path.join(dir, old), { force: true });
}
