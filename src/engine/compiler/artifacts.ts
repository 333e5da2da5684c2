import { mkdir, readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '../util/fs.js';
import { ARTIFACT_KEYS, ARTIFACT_SCHEMAS, type ArtifactBag, type ArtifactKey, type PassRunMeta } from './types.js';

/** Folder of a variant holding the artifacts (file walkers skip it). */
export const ARTIFACT_DIR = '_artifacts';
export const META_DIR = '_meta';

/**
 * The artifact bag of one variant, mirrored to `<variant>/_artifacts/<key>.json` (pretty JSON,
 * so `envScript` is a JSON string) and `_artifacts/_meta/<passId>.json`, as the reference writes.
 */
export class ArtifactStore {
  private readonly bag: Partial<ArtifactBag> = {};
  private readonly metas: PassRunMeta[] = [];

  constructor(readonly workDir: string) {}

  get dir(): string {
    return join(this.workDir, ARTIFACT_DIR);
  }

  snapshot(): Partial<ArtifactBag> {
    return structuredClone(this.bag);
  }

  passRuns(): PassRunMeta[] {
    return [...this.metas];
  }

  keys(): Set<ArtifactKey> {
    return new Set(Object.keys(this.bag) as ArtifactKey[]);
  }

  async merge(partial: Partial<ArtifactBag>): Promise<void> {
    await mkdir(this.dir, { recursive: true });
    for (const key of ARTIFACT_KEYS) {
      const value = partial[key];
      if (value === undefined) continue;
      (this.bag as Record<string, unknown>)[key] = value;
      await writeFileAtomic(join(this.dir, `${key}.json`), JSON.stringify(value, null, 2));
    }
  }

  async writeMeta(meta: PassRunMeta): Promise<void> {
    this.metas.push(meta);
    await mkdir(join(this.dir, META_DIR), { recursive: true });
    await writeFileAtomic(join(this.dir, META_DIR, `${meta.passId}.json`), JSON.stringify(meta, null, 2));
  }
}

/**
 * Artifacts of a variant on disk, validated (a variant directory is untrusted): valid keys in
 * `artifacts`, the names of files that failed validation in `invalid`.
 */
export async function readArtifacts(variantDir: string): Promise<{ artifacts: Partial<ArtifactBag>; invalid: string[] }> {
  const dir = join(variantDir, ARTIFACT_DIR);
  const artifacts: Partial<ArtifactBag> = {};
  const invalid: string[] = [];
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return { artifacts, invalid };
  }
  for (const key of ARTIFACT_KEYS) {
    if (!names.includes(`${key}.json`)) continue;
    try {
      const parsed = ARTIFACT_SCHEMAS[key].safeParse(JSON.parse(await readFile(join(dir, `${key}.json`), 'utf8')));
      if (parsed.success) (artifacts as Record<string, unknown>)[key] = parsed.data;
      else invalid.push(`${key}.json`);
    } catch {
      invalid.push(`${key}.json`);
    }
  }
  return { artifacts, invalid };
}
