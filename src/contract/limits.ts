import { z } from 'zod';

/**
 * Upper bounds on what a tool accepts. Every string and every list in every tool input uses
 * one of these helpers (a test walks the schemas), so a huge argument is refused at the edge
 * with an error naming the field and its limit — before it reaches fuzzy matching, file names
 * or a run record. The length is checked first and aborts the field's other checks, so no
 * regex or URL parser ever sees an over-long value.
 */
export const LIMITS = {
  /** Ids and names: run, session and task ids, harness and primitive names, versions. */
  id: 200,
  /** Model ids (`<provider>/<model-id>`) and route globs over them. */
  model: 300,
  /** File-system paths (Linux PATH_MAX). */
  path: 4096,
  /** URLs. */
  url: 2048,
  /** Free text such as a cancel reason. */
  text: 1000,
  /** Items of a list, unless the field sets its own bound. */
  items: 100,
} as const;

/** A string of at most `max` characters, checked before anything else. */
export function boundedString(max: number) {
  return z.string().max(max, { abort: true });
}

/** A non-empty id or name. */
export const idArg = () => boundedString(LIMITS.id).min(1);

/** A non-empty model id `<provider>/<model-id>` (or a glob over model ids). */
export const modelArg = () => boundedString(LIMITS.model).min(1);

/** A non-empty file-system path. */
export const pathArg = () => boundedString(LIMITS.path).min(1);

/** An absolute URL. */
export const urlArg = () => boundedString(LIMITS.url).url();

/** Free text. */
export const textArg = (max: number = LIMITS.text) => boundedString(max);

/** A list of at most `max` items. */
export function listArg<T extends z.ZodType>(item: T, max: number = LIMITS.items) {
  return z.array(item).max(max);
}
