import type { Engine } from '../engine/engine.js';

/**
 * A resource family: one URI (static) or one URI template, defined once in resources/<name>.ts
 * and registered by the server. Reads are read-only views of engine state.
 */
export interface ResourceEntry {
  uri: string;
  name: string;
  title?: string;
  description?: string;
  mimeType?: string;
}

export interface ResourceContent {
  uri: string;
  mimeType: string;
  text: string;
}

export interface ResourceFamily {
  /** Registration name, unique. */
  name: string;
  title: string;
  description: string;
  mimeType: string;
  /** A fixed URI, or an RFC 6570 template such as `skvm://runs/{runId}`. */
  uri: string;
  /** Enumerate concrete resources (templates only). */
  list?(engine: Engine): Promise<ResourceEntry[]>;
  /** Completions per template variable. */
  complete?: Record<string, (engine: Engine, value: string, args: Record<string, string>) => Promise<string[]>>;
  /** Throws NotFoundError (with suggestions) for unknown ids. `vars` are URL-decoded. */
  read(engine: Engine, uri: URL, vars: Record<string, string>): Promise<ResourceContent>;
}

export function defineResource(r: ResourceFamily): ResourceFamily {
  return r;
}
