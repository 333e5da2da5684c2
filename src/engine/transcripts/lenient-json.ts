/**
 * Whole-document JSON as people and agents hand it over (spec §5.6 item 2): a BOM, an outer
 * ```json fence, and trailing commas are tolerated. Returns undefined when it still is not JSON.
 */
export function parseLenientJson(text: string): unknown {
  const body = unfence(text.replace(/^\uFEFF/, '').trim());
  try {
    return JSON.parse(body) as unknown;
  } catch {
    try {
      return JSON.parse(withoutTrailingCommas(body)) as unknown;
    } catch {
      return undefined;
    }
  }
}

function unfence(t: string): string {
  const m = /^```[a-z]*[ \t]*\r?\n([\s\S]*?)\r?\n```\s*$/i.exec(t);
  return m ? m[1]!.trim() : t;
}

/** Drops a comma that directly precedes `}` or `]`, leaving string contents alone. */
function withoutTrailingCommas(t: string): string {
  let out = '';
  let inString = false;
  for (let i = 0; i < t.length; i++) {
    const c = t[i]!;
    if (inString) {
      out += c;
      if (c === '\\') out += t[++i] ?? '';
      else if (c === '"') inString = false;
      continue;
    }
    if (c === '"') inString = true;
    if (c === ',' && /^\s*[}\]]/.test(t.slice(i + 1, i + 64))) continue;
    out += c;
  }
  return out;
}
