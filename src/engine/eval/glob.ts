import { promises as fsp } from 'node:fs';
import * as path from 'node:path';

/**
 * A small glob matcher for file-check (Node 20 has no fs.glob). Paths are relative, `/`-separated.
 * `*` any run of characters within a segment, `?` one character, `**` as a whole segment any
 * number of segments (including none), `[abc]` / `[a-z]` / `[!x]` a character class, `{a,b}`
 * alternatives. Like most shells, wildcards do not match a leading `.` of a segment unless the
 * pattern segment itself starts with `.`.
 */

export class GlobPatternError extends Error {}

export function globToRegExp(pattern: string): RegExp {
  const p = pattern.replace(/\\/g, '/').replace(/^\.\//, '');
  if (p.startsWith('/') || p.split('/').includes('..')) {
    throw new GlobPatternError(`glob "${pattern}" must be relative to the work directory and must not contain ".."`);
  }
  const segments = p.split('/').filter((s, i, all) => s !== '' || i === all.length - 1);
  let re = '^';
  segments.forEach((seg, i) => {
    const last = i === segments.length - 1;
    if (seg === '**') {
      // zero or more whole segments, none starting with "."
      re += last ? '(?:(?!\\.)[^/]*(?:/(?!\\.)[^/]*)*)?' : '(?:(?!\\.)[^/]*/)*';
      return;
    }
    re += segmentToRegExp(seg);
    if (!last) re += '/';
  });
  return new RegExp(re + '$');
}

function segmentToRegExp(seg: string): string {
  let out = seg.startsWith('.') ? '' : '(?!\\.)';
  let braceDepth = 0;
  for (let i = 0; i < seg.length; i++) {
    const ch = seg[i]!;
    if (ch === '*') {
      while (seg[i + 1] === '*') i++;
      out += '[^/]*';
    } else if (ch === '?') out += '[^/]';
    else if (ch === '[') {
      const close = seg.indexOf(']', i + 2);
      if (close < 0) {
        out += '\\[';
        continue;
      }
      let body = seg.slice(i + 1, close);
      const negate = body.startsWith('!') || body.startsWith('^');
      if (negate) body = body.slice(1);
      out += `[${negate ? '^/' : ''}${body.replace(/[\\\]]/g, '\\$&')}]`;
      i = close;
    } else if (ch === '{') {
      braceDepth++;
      out += '(?:';
    } else if (ch === '}' && braceDepth > 0) {
      braceDepth--;
      out += ')';
    } else if (ch === ',' && braceDepth > 0) out += '|';
    else out += ch.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  if (braceDepth > 0) throw new GlobPatternError(`glob segment "${seg}" has an unclosed "{"`);
  return out;
}

export function matchGlob(pattern: string | RegExp, relPath: string): boolean {
  const re = typeof pattern === 'string' ? globToRegExp(pattern) : pattern;
  return re.test(relPath.split(path.sep).join('/'));
}

/**
 * First regular file under `root` (depth-first, entries in name order) whose relative path matches;
 * symlinked directories are not followed. Returns the `/`-separated relative path.
 */
export async function firstGlobMatch(root: string, pattern: string, opts: { maxEntries?: number } = {}): Promise<string | undefined> {
  const re = globToRegExp(pattern);
  const maxEntries = opts.maxEntries ?? 100_000;
  let seen = 0;
  const walk = async (dir: string, rel: string): Promise<string | undefined> => {
    let entries;
    try {
      entries = await fsp.readdir(dir, { withFileTypes: true });
    } catch {
      return undefined;
    }
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const e of entries) {
      if (++seen > maxEntries) return undefined;
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) {
        const hit = await walk(path.join(dir, e.name), r);
        if (hit !== undefined) return hit;
      } else if ((e.isFile() || e.isSymbolicLink()) && re.test(r)) {
        if (e.isSymbolicLink()) {
          const st = await fsp.stat(path.join(dir, e.name)).catch(() => undefined);
          if (!st?.isFile()) continue;
        }
        return r;
      }
    }
    return undefined;
  };
  return walk(root, '');
}
