import { squashSpaces } from './text.js';

/**
 * A small tolerant HTML scanner for checking pages a model wrote: tags in any case, omitted end
 * tags and implied closes (li, p, td…), void and raw-text elements, unquoted or single-quoted
 * attributes and the common entities — enough to find elements, attributes and text, not a
 * conforming parser.
 */

export interface HEl {
  tag: string;
  attrs: Record<string, string>;
  children: Array<HEl | string>;
  parent?: HEl;
}

const VOID = new Set(['area', 'base', 'br', 'col', 'embed', 'hr', 'img', 'input', 'link', 'meta', 'source', 'track', 'wbr']);
const RAW_TEXT = new Set(['script', 'style', 'textarea', 'title']);
const BLOCKS = new Set(['address', 'article', 'aside', 'blockquote', 'div', 'dl', 'fieldset', 'footer', 'form', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'header', 'hr', 'main', 'nav', 'ol', 'p', 'pre', 'section', 'table', 'ul', 'figure']);
/** Opening `key` closes an open element of these tags, searching no further up than the stoppers. */
const IMPLIED: Record<string, { closes: string[]; stop: string[] }> = {
  li: { closes: ['li'], stop: ['ul', 'ol', 'menu'] },
  dt: { closes: ['dt', 'dd'], stop: ['dl'] },
  dd: { closes: ['dt', 'dd'], stop: ['dl'] },
  tr: { closes: ['tr', 'td', 'th'], stop: ['table', 'thead', 'tbody', 'tfoot'] },
  td: { closes: ['td', 'th'], stop: ['tr', 'table'] },
  th: { closes: ['td', 'th'], stop: ['tr', 'table'] },
  thead: { closes: ['thead', 'tbody', 'tfoot', 'tr', 'td', 'th'], stop: ['table'] },
  tbody: { closes: ['thead', 'tbody', 'tfoot', 'tr', 'td', 'th'], stop: ['table'] },
  tfoot: { closes: ['thead', 'tbody', 'tfoot', 'tr', 'td', 'th'], stop: ['table'] },
  option: { closes: ['option'], stop: ['select', 'datalist'] },
};

function decodeEntities(s: string): string {
  const named: Record<string, string> = {
    amp: '&',
    lt: '<',
    gt: '>',
    quot: '"',
    apos: "'",
    nbsp: ' ',
    copy: '©',
    reg: '®',
    mdash: '—',
    ndash: '–',
    hellip: '…',
    lsquo: '‘',
    rsquo: '’',
    ldquo: '“',
    rdquo: '”',
    middot: '·',
  };
  return s.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (m, e: string) => {
    if (e[0] === '#') {
      const code = e[1] === 'x' || e[1] === 'X' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10);
      return Number.isFinite(code) ? String.fromCodePoint(code) : m;
    }
    return named[e.toLowerCase()] ?? m;
  });
}

function parseAttrs(raw: string): Record<string, string> {
  const attrs: Record<string, string> = {};
  for (const m of raw.matchAll(/([^\s=/>"']+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+)))?/g)) {
    const name = m[1]!.toLowerCase();
    if (!(name in attrs)) attrs[name] = decodeEntities(m[2] ?? m[3] ?? m[4] ?? '');
  }
  return attrs;
}

export function parseHtml(src: string): HEl {
  const root: HEl = { tag: '#root', attrs: {}, children: [] };
  const stack: HEl[] = [root];
  const top = () => stack[stack.length - 1]!;
  const closeTo = (i: number) => {
    stack.length = Math.max(1, i);
  };
  const re = /<!--[\s\S]*?-->|<!\[CDATA\[[\s\S]*?\]\]>|<![^>]*>|<\?[^>]*>|<\/\s*([a-zA-Z][\w:.-]*)\s*>|<([a-zA-Z][\w:.-]*)((?:[^>"']|"[^"]*"|'[^']*')*)>/g;
  let last = 0;
  let m: RegExpExecArray | null;
  while ((m = re.exec(src))) {
    if (m.index > last) top().children.push(decodeEntities(src.slice(last, m.index)));
    last = re.lastIndex;
    if (m[1]) {
      const tag = m[1].toLowerCase();
      for (let i = stack.length - 1; i > 0; i--) {
        if (stack[i]!.tag === tag) {
          closeTo(i);
          break;
        }
      }
      continue;
    }
    if (!m[2]) continue;
    const tag = m[2].toLowerCase();
    const rawAttrs = m[3] ?? '';
    const rule = IMPLIED[tag];
    if (rule) {
      for (let i = stack.length - 1; i > 0; i--) {
        const t = stack[i]!.tag;
        if (rule.stop.includes(t)) break;
        if (rule.closes.includes(t)) {
          closeTo(i);
          break;
        }
      }
    }
    if (BLOCKS.has(tag)) {
      for (let i = stack.length - 1; i > 0; i--) {
        const t = stack[i]!.tag;
        if (t === 'p') {
          closeTo(i);
          break;
        }
        if (t !== 'a' && t !== 'span' && t !== 'em' && t !== 'strong' && t !== 'b' && t !== 'i') break;
      }
    }
    const el: HEl = { tag, attrs: parseAttrs(rawAttrs), children: [], parent: top() };
    top().children.push(el);
    if (RAW_TEXT.has(tag) && !/\/\s*$/.test(rawAttrs)) {
      const end = src.toLowerCase().indexOf(`</${tag}`, last);
      const stop = end < 0 ? src.length : end;
      el.children.push(tag === 'title' || tag === 'textarea' ? decodeEntities(src.slice(last, stop)) : src.slice(last, stop));
      const close = end < 0 ? src.length : src.indexOf('>', end) + 1 || src.length;
      last = re.lastIndex = close;
      continue;
    }
    if (/\/\s*$/.test(rawAttrs) || VOID.has(tag)) continue;
    stack.push(el);
  }
  if (last < src.length) top().children.push(decodeEntities(src.slice(last)));
  return root;
}

export function all(el: HEl, tag: string): HEl[] {
  const out: HEl[] = [];
  const walk = (e: HEl) => {
    for (const c of e.children) {
      if (typeof c === 'string') continue;
      if (c.tag === tag) out.push(c);
      walk(c);
    }
  };
  walk(el);
  return out;
}

export function kids(el: HEl, tag: string): HEl[] {
  return el.children.filter((c): c is HEl => typeof c !== 'string' && c.tag === tag);
}

export function textOf(el: HEl): string {
  const parts: string[] = [];
  const walk = (e: HEl) => {
    for (const c of e.children) {
      if (typeof c === 'string') parts.push(c);
      else if (c.tag !== 'script' && c.tag !== 'style') walk(c);
    }
  };
  walk(el);
  return squashSpaces(parts.join(''));
}

export function inside(el: HEl, tag: string): boolean {
  for (let p = el.parent; p; p = p.parent) if (p.tag === tag) return true;
  return false;
}
