/**
 * Session ids of the reference (spec runtime §4.4, profiler-compiler §5.5):
 * `YYYYMMDD-HHMMSS-<type>-<tag>`, local time, the tag limited to `[A-Za-z0-9.+-]`, ≤ 60
 * characters, `untagged` when empty; ids sort by time.
 */

/** The reference's short model name: last `/` segment without `-instruct…`, `-a<N>b…`, `:…`, ≤ 30 chars. */
export function shortModel(model: string): string {
  const last = model.split('/').filter(Boolean).pop() ?? model;
  return last
    .replace(/:.*$/, '')
    .replace(/-instruct.*$/i, '')
    .replace(/-a\d+b.*$/i, '')
    .slice(0, 30);
}

export function sanitizeTag(tag: string): string {
  const t = tag.replace(/[^A-Za-z0-9.+-]/g, '-').replace(/-{2,}/g, '-').replace(/^-+|-+$/g, '').slice(0, 60);
  return t.length > 0 && !/^\.+$/.test(t) ? t : 'untagged';
}

function pad(n: number, w = 2): string {
  return String(n).padStart(w, '0');
}

export function timestampId(now: Date): string {
  return `${now.getFullYear()}${pad(now.getMonth() + 1)}${pad(now.getDate())}-${pad(now.getHours())}${pad(now.getMinutes())}${pad(now.getSeconds())}`;
}

export function newSessionId(type: string, tag: string, now: Date = new Date()): string {
  return `${timestampId(now)}-${type}-${sanitizeTag(tag)}`;
}
