/**
 * JUnit XML as written by `bun test`, `node --test` and vitest, read with a tolerant scanner
 * (no XML dependency): every `<testcase>` becomes `{classname, name, fullName, failed}`.
 */

export interface JunitTestCase {
  classname: string;
  name: string;
  /** `classname > name`, or `name` when there is no classname. */
  fullName: string;
  /** The testcase body holds a `<failure` or `<error` element. */
  failed: boolean;
}

const ATTRS = `((?:[^>"']|"[^"]*"|'[^']*')*?)`;
const TOKEN = new RegExp(`<testsuite\\b${ATTRS}(/?)>|</testsuite\\s*>|<testcase\\b${ATTRS}(?:/>|>([\\s\\S]*?)</testcase\\s*>)|<!--[\\s\\S]*?-->`, 'g');

export function decodeXmlEntities(text: string): string {
  return text.replace(/&(#[xX][0-9a-fA-F]+|#\d+|lt|gt|amp|quot|apos);/g, (all, ent: string) => {
    if (ent[0] === '#') {
      const code = ent[1] === 'x' || ent[1] === 'X' ? parseInt(ent.slice(2), 16) : parseInt(ent.slice(1), 10);
      try {
        return String.fromCodePoint(code);
      } catch {
        return all;
      }
    }
    return { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" }[ent as 'lt'] ?? all;
  });
}

export function parseXmlAttributes(attrs: string): Record<string, string> {
  const out: Record<string, string> = {};
  const re = /([A-Za-z_:][\w:.-]*)\s*=\s*(?:"([^"]*)"|'([^']*)')/g;
  for (let m = re.exec(attrs); m; m = re.exec(attrs)) out[m[1]!] = decodeXmlEntities(m[2] ?? m[3] ?? '');
  return out;
}

export function parseJunitXml(xml: string): JunitTestCase[] {
  const cases: JunitTestCase[] = [];
  const suites: string[] = [];
  TOKEN.lastIndex = 0;
  for (let m = TOKEN.exec(xml); m; m = TOKEN.exec(xml)) {
    const tok = m[0];
    if (tok.startsWith('<!--')) continue;
    if (tok.startsWith('</testsuite')) {
      suites.pop();
      continue;
    }
    if (tok.startsWith('<testsuite')) {
      if (m[2] !== '/') suites.push(parseXmlAttributes(m[1] ?? '').name ?? '');
      continue;
    }
    const attrs = parseXmlAttributes(m[3] ?? '');
    const body = m[4] ?? '';
    const name = attrs.name ?? '';
    let classname = attrs.classname ?? '';
    // node --test writes the placeholder classname "test"; its describe blocks are the enclosing suites.
    if (classname === 'test') {
      const path = suites.filter(Boolean);
      if (path.length > 0) classname = path.join(' > ');
    }
    cases.push({ classname, name, fullName: classname ? `${classname} > ${name}` : name, failed: /<(failure|error)\b/.test(body) });
  }
  return cases;
}
