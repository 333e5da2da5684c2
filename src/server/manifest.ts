import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Catalog, Listing, Registries } from './catalog.js';

/**
 * The listing, written beside this module by `npm run build`, so a starting server reads one
 * JSON file instead of loading every tool and resource module (and through them zod schemas and
 * engine modules) before it can answer the handshake. It carries a fingerprint of the compiled
 * registries; after a build that did not rewrite it (a bare `tsc`) it no longer matches and is
 * ignored, and the server lists from the modules.
 */

const HERE = path.dirname(fileURLToPath(import.meta.url));
export const MANIFEST_PATH = path.join(HERE, 'tool-manifest.json');
/** Where what the listing is made from lives, relative to this module (dist/src/server). */
const SOURCES = ['../../tools', '../../resources', '../../prompts', '../contract'].map((d) => path.resolve(HERE, d));

interface Manifest extends Listing {
  fingerprint: string;
}

/** A hash of the compiled registry modules (a few dozen small files; well under a millisecond to read). */
export function registryFingerprint(): string {
  const hash = createHash('sha256');
  for (const dir of SOURCES) {
    for (const name of readdirSync(dir).filter((n) => n.endsWith('.js')).sort()) {
      hash.update(`${dir}/${name}\0`);
      hash.update(readFileSync(path.join(dir, name)));
    }
  }
  return hash.digest('hex');
}

export function writeManifest(listing: Listing): void {
  const manifest: Manifest = { fingerprint: registryFingerprint(), ...listing };
  writeFileSync(MANIFEST_PATH, JSON.stringify(manifest));
}

/** The catalog the manifest describes, with `load` for the registries; undefined when missing or stale. */
export function manifestCatalog(load: () => Promise<Registries>, file: string = MANIFEST_PATH): Catalog | undefined {
  let manifest: Manifest;
  try {
    manifest = JSON.parse(readFileSync(file, 'utf8')) as Manifest;
  } catch {
    return undefined;
  }
  if (manifest.fingerprint !== registryFingerprint()) return undefined;
  const { fingerprint: _fingerprint, ...listing } = manifest;
  let loaded: Promise<Registries> | undefined;
  return { listing, load: () => (loaded ??= load()) };
}
