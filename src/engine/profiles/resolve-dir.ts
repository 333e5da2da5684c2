/** Which file of one profile directory readers use: latest.json when complete, else the newest complete version. */
import * as path from 'node:path';
import { parseTcp, readDirents, readJsonWith } from './io.js';
import { LATEST_FILE, versionFileName, versionsOf } from './names.js';
import type { TCP } from './schema.js';

export interface ProfileFileInfo {
  /** `latest.json` or `v_<version>.json`. */
  file: string;
  /** null for latest.json. */
  version: string | null;
  model: string;
  profiledAt: string;
  isPartial: boolean;
  primitiveCount: number;
}

export function fileInfo(file: string, version: string | null, tcp: TCP): ProfileFileInfo {
  return {
    file,
    version,
    model: tcp.model,
    profiledAt: tcp.profiledAt,
    isPartial: tcp.isPartial,
    primitiveCount: Object.keys(tcp.capabilities).length,
  };
}

export interface Resolution {
  latest?: { tcp: TCP; info: ProfileFileInfo };
  complete?: { tcp: TCP; info: ProfileFileInfo; path: string };
  invalid: Array<{ file: string; reason: string }>;
  versions: string[];
}

/** Read latest.json and, when it is not a complete profile, the versions newest-first until one is. */
export async function resolveDir(dir: string): Promise<Resolution> {
  const names = (await readDirents(dir)).filter((d) => d.isFile()).map((d) => d.name);
  const versions = versionsOf(names);
  const res: Resolution = { invalid: [], versions };
  if (names.includes(LATEST_FILE)) {
    const r = await readJsonWith(path.join(dir, LATEST_FILE), parseTcp);
    if (r?.ok) {
      res.latest = { tcp: r.value, info: fileInfo(LATEST_FILE, null, r.value) };
      if (!r.value.isPartial) res.complete = { ...res.latest, path: path.join(dir, LATEST_FILE) };
    } else if (r) res.invalid.push({ file: LATEST_FILE, reason: r.reason });
  }
  if (!res.complete) {
    for (const v of versions) {
      const file = versionFileName(v);
      const r = await readJsonWith(path.join(dir, file), parseTcp);
      if (!r) continue;
      if (!r.ok) {
        res.invalid.push({ file, reason: r.reason });
        continue;
      }
      if (r.value.isPartial) continue;
      res.complete = { tcp: r.value, info: fileInfo(file, v, r.value), path: path.join(dir, file) };
      break;
    }
  }
  return res;
}
