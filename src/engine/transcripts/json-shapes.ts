/** Narrowing helpers for foreign JSON whose shape is not ours to trust. */

export type Obj = Record<string, unknown>;

export function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

export function num(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

export function obj(v: unknown): Obj | undefined {
  return isObj(v) ? v : undefined;
}

export function arr(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [];
}

/** A JSON string of arguments (OpenAI function calls), or the value itself when it is not one. */
export function parseArgs(v: unknown): unknown {
  if (typeof v !== 'string') return v ?? {};
  try {
    return JSON.parse(v) as unknown;
  } catch {
    return v;
  }
}

/** An epoch-milliseconds number or an ISO string, as ISO. */
export function isoTime(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' && Number.isFinite(v)) return new Date(v).toISOString();
  return undefined;
}

/** Text of a content value that is a string or a list of `{type:'text', text}`-like blocks. */
export function textOf(content: unknown, blockTypes: readonly string[] = ['text', 'input_text', 'output_text']): string {
  if (typeof content === 'string') return content;
  return arr(content)
    .map((b) => (isObj(b) && (b.type === undefined || blockTypes.includes(String(b.type))) ? (str(b.text) ?? '') : ''))
    .filter((t) => t)
    .join('\n');
}
