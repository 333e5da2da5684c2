import { call, cp, generatorByLevel, parseJsonLoose, solution, type ProbeRng } from '../toolkit.js';
import type { ProbeCheckpoint, ProbeInstance } from '../types.js';
import { capitalize, distinctWords, SIMPLE_SOUNDS, simpleWord } from '../gen/words.js';
import { isAlphabetical, squashSpaces } from '../gen/text.js';
import { escapeHtml } from '../gen/html.js';
import { csvText } from '../gen/csv.js';

/**
 * tool.browser — working with web pages. No browser runs here: every level uses saved, static
 * HTML files in the work dir (no scripts, forms, sessions or rendering), and the prompts say so.
 * What is tested is reading pages the way a browser user would: picking the right element,
 * decoding entities, turning a table into data, following links.
 *  L1  the text of one element by id (nested inline tags, entities, decoys with similar ids).
 *  L2  one of two tables → CSV (cells with commas and entities; proper quoting needed).
 *  L3  follow `a.next` links from a start page across 3–5 pages, collect every `li` of a given
 *      class (an unlinked archive page and `li.ad` entries are decoys).
 */

const ID = 'tool.browser';

function page(title: string, body: string): string {
  return (
    `<!DOCTYPE html>\n<html lang="en">\n<head>\n  <meta charset="utf-8">\n  <title>${escapeHtml(title)}</title>\n` +
    `  <link rel="stylesheet" href="site.css">\n</head>\n<body>\n${body}\n</body>\n</html>\n`
  );
}

function nav(rng: ProbeRng): string {
  const links = distinctWords(rng, 3, SIMPLE_SOUNDS).map((w) => `    <li><a href="/${w}">${capitalize(w)}</a></li>`);
  return `  <nav class="top">\n    <ul>\n${links.join('\n')}\n    </ul>\n  </nav>`;
}

function level1(rng: ProbeRng, seed: number): ProbeInstance {
  const id = `${simpleWord(rng)}-${rng.pick(['note', 'status', 'summary', 'message', 'notice'])}`;
  const a = capitalize(simpleWord(rng));
  const b = simpleWord(rng);
  const c = simpleWord(rng);
  const strong = `${simpleWord(rng)} ${rng.int(2, 999)}`;
  const extra = rng.pick([
    ['&quot;', '"', `&quot;${simpleWord(rng)}&quot;`, `"`],
    ['&lt;', '<', `&lt; ${rng.int(2, 90)}`, '<'],
    ['&#39;', "'", `${simpleWord(rng)}&#39;s`, "'"],
    ['&eacute;', 'é', `caf&eacute;`, 'é'],
  ] as const);
  const rawExtra = extra[2];
  const plainExtra = rawExtra.split(extra[0]).join(extra[1]);
  const d = simpleWord(rng);
  const html =
    `    <p id="${id}" class="panel-text">\n      ${a} ${b} &amp; ${c},\n      <strong>${strong}</strong>\n      ${rawExtra} <em>${d}</em>.\n    </p>`;
  const expected = squashSpaces(`${a} ${b} & ${c}, ${strong} ${plainExtra} ${d}.`);
  const nearText = squashSpaces(`${a} ${b} &amp; ${c}, ${strong} ${rawExtra} ${d}.`);
  const decoyOld = `${capitalize(simpleWord(rng))} ${simpleWord(rng)} ${simpleWord(rng)}.`;
  const decoyClass = `${capitalize(simpleWord(rng))} ${simpleWord(rng)}.`;
  const title = `${capitalize(simpleWord(rng))} ${rng.pick(['Account', 'Order', 'Booking', 'Shipment'])}`;
  const body =
    `${nav(rng)}\n  <main>\n    <h1>${escapeHtml(title)}</h1>\n` +
    `    <p id="${id}-old" class="panel-text muted">${escapeHtml(decoyOld)}</p>\n` +
    `    <div class="panel">\n  ${html}\n    </div>\n` +
    `    <aside><span class="${id}">${escapeHtml(decoyClass)}</span></aside>\n` +
    `  </main>\n  <footer><p>&copy; ${rng.int(2015, 2025)} ${capitalize(simpleWord(rng))}</p></footer>`;
  const file = `${simpleWord(rng)}.html`;
  const prompt =
    `\`${file}\` is a saved web page (no browser here; read the file). ` +
    `Write the text a browser shows for the element with id \`${id}\` to \`result.txt\`: ` +
    `tags removed, entities decoded, whitespace runs collapsed to single spaces.`;
  return {
    primitiveId: ID,
    level: 'L1',
    seed,
    prompt,
    setupFiles: { [file]: page(title, body) },
    requires: [],
    async check(ctx) {
      const got = await ctx.readFile('result.txt');
      if (got === undefined) return [cp('file_exists', false, 'result.txt was not created')];
      const g = squashSpaces(got).normalize('NFC');
      return [cp('file_exists', true), cp('text_correct', g === expected.normalize('NFC'), `expected ${JSON.stringify(expected)}, got ${JSON.stringify(g)}`)];
    },
    reference: solution({ toolCalls: [call.read(file)] }, { toolCalls: [call.write('result.txt', expected + '\n')] }, { text: `The element reads: ${expected}` }),
    // Strips the tags but leaves the entities encoded.
    nearMiss: solution({ toolCalls: [call.read(file)] }, { toolCalls: [call.write('result.txt', nearText + '\n')] }, { text: `The element reads: ${nearText}` }),
  };
}

/** RFC 4180 records (quoted fields, doubled quotes, CRLF or LF). */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  let i = 0;
  const t = text.replace(/^\uFEFF/, '');
  while (i < t.length) {
    const ch = t[i]!;
    if (quoted) {
      if (ch === '"' && t[i + 1] === '"') {
        field += '"';
        i += 2;
        continue;
      }
      if (ch === '"') quoted = false;
      else field += ch;
      i++;
      continue;
    }
    if (ch === '"') quoted = true;
    else if (ch === ',') {
      row.push(field);
      field = '';
    } else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && t[i + 1] === '\n') i++;
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
    } else field += ch;
    i++;
  }
  if (field !== '' || row.length) {
    row.push(field);
    rows.push(row);
  }
  return rows.filter((r) => !(r.length === 1 && r[0]!.trim() === ''));
}

function level2(rng: ProbeRng, seed: number): ProbeInstance {
  const extraCols = rng.sample(['City', 'Team', 'Score', 'Joined', 'Notes'], rng.int(2, 3));
  const cols = ['Name', ...extraCols];
  const n = rng.int(5, 9);
  const commaRow = rng.int(0, n - 1);
  const rows: string[][] = [];
  const rowsHtml: string[][] = [];
  for (let r = 0; r < n; r++) {
    const cells: string[] = [];
    const html: string[] = [];
    for (const c of cols) {
      let v: string;
      let h: string;
      if (c === 'Name') {
        const withComma = r === commaRow || rng.next() < 0.35;
        v = withComma ? `${capitalize(simpleWord(rng))}, ${capitalize(simpleWord(rng))}` : `${capitalize(simpleWord(rng))} ${capitalize(simpleWord(rng))}`;
        h = rng.next() < 0.4 ? `<a href="/people/${simpleWord(rng)}">${escapeHtml(v)}</a>` : escapeHtml(v);
      } else if (c === 'City') {
        v = `${capitalize(simpleWord(rng))}`;
        h = escapeHtml(v);
      } else if (c === 'Team') {
        v = rng.next() < 0.4 ? `${capitalize(simpleWord(rng))} & ${capitalize(simpleWord(rng))}` : capitalize(simpleWord(rng));
        h = escapeHtml(v);
      } else if (c === 'Score') {
        v = String(rng.int(0, 100));
        h = `<span class="num">${v}</span>`;
      } else if (c === 'Joined') {
        v = `20${rng.int(10, 24)}-${String(rng.int(1, 12)).padStart(2, '0')}-${String(rng.int(1, 28)).padStart(2, '0')}`;
        h = `<time datetime="${v}">${v}</time>`;
      } else {
        v = rng.pick([`${simpleWord(rng)} ${simpleWord(rng)}`, `"${simpleWord(rng)}" ${simpleWord(rng)}`, `${simpleWord(rng)}, ${simpleWord(rng)}`, '']);
        h = escapeHtml(v);
      }
      cells.push(v);
      html.push(h);
    }
    rows.push(cells);
    rowsHtml.push(html);
  }
  const tableId = `${simpleWord(rng)}-table`;
  const tbody = rowsHtml.map((cells) => `        <tr>${cells.map((h) => `<td>${h}</td>`).join('')}</tr>`).join('\n');
  const target =
    `    <table id="${tableId}" class="data">\n      <caption>${capitalize(simpleWord(rng))} ${simpleWord(rng)}</caption>\n` +
    `      <thead>\n        <tr>${cols.map((c) => `<th>${c}</th>`).join('')}</tr>\n      </thead>\n      <tbody>\n${tbody}\n      </tbody>\n    </table>`;
  const decoyRows = Array.from({ length: rng.int(2, 4) }, () => `        <tr><td>${capitalize(simpleWord(rng))}</td><td>${rng.int(1, 99)}</td></tr>`).join('\n');
  const decoy = `    <table id="${simpleWord(rng)}-table" class="data summary">\n      <thead><tr><th>Group</th><th>Count</th></tr></thead>\n      <tbody>\n${decoyRows}\n      </tbody>\n    </table>`;
  const order = rng.next() < 0.5 ? [decoy, target] : [target, decoy];
  const title = `${capitalize(simpleWord(rng))} ${rng.pick(['Members', 'Roster', 'Results', 'Directory'])}`;
  const file = `${simpleWord(rng)}.html`;
  const body = `${nav(rng)}\n  <main>\n    <h1>${escapeHtml(title)}</h1>\n${order.join('\n    <hr>\n')}\n  </main>`;
  const expected = [cols, ...rows];
  const prompt =
    `\`${file}\` is a saved web page (no browser here; read the file). ` +
    `Convert the table with id \`${tableId}\` to \`result.csv\`: a header row of the column headings, then one row per table row in page order, ` +
    `cell text only (tags removed, entities decoded). Standard CSV quoting: a field with a comma or double quote goes in double quotes, ` +
    `inner double quotes doubled.`;
  const refCsv = csvText(expected);
  const naiveCsv = expected.map((r) => r.join(',')).join('\n') + '\n';
  return {
    primitiveId: ID,
    level: 'L2',
    seed,
    prompt,
    setupFiles: { [file]: page(title, body) },
    requires: [],
    async check(ctx): Promise<ProbeCheckpoint[]> {
      const got = await ctx.readFile('result.csv');
      if (got === undefined) return [cp('file_exists', false, 'result.csv was not created')];
      const parsed = parseCsv(got).map((r) => r.map(squashSpaces));
      const header = parsed[0] ?? [];
      const headerOk = header.length === cols.length && header.every((h, i) => h.toLowerCase() === cols[i]!.toLowerCase());
      const data = parsed.slice(1);
      let bad = -1;
      for (let i = 0; i < rows.length; i++) {
        const g = data[i];
        if (!g || g.length !== cols.length || g.some((v, j) => v !== squashSpaces(rows[i]![j]!))) {
          bad = i;
          break;
        }
      }
      return [
        cp('file_exists', true),
        cp('header_correct', headerOk, `header ${JSON.stringify(header)}`),
        cp('row_count', data.length === rows.length, `expected ${rows.length} data rows, got ${data.length}`),
        cp('cells_correct', bad < 0, bad < 0 ? '' : `row ${bad + 1}: expected ${JSON.stringify(rows[bad])}, got ${JSON.stringify(data[bad] ?? null)}`),
      ];
    },
    reference: solution({ toolCalls: [call.read(file)] }, { toolCalls: [call.write('result.csv', refCsv)] }, { text: `Saved the ${rows.length} rows of #${tableId} to result.csv.` }),
    nearMiss: solution({ toolCalls: [call.read(file)] }, { toolCalls: [call.write('result.csv', naiveCsv)] }, { text: `Saved the table to result.csv.` }),
  };
}

function level3(rng: ProbeRng, seed: number): ProbeInstance {
  const chainLen = rng.int(3, 5);
  const names = distinctWords(rng, chainLen + 1, SIMPLE_SOUNDS).map((w) => `${w}.html`);
  const start = names[0]!;
  const cls = rng.pick(['item', 'entry', 'result', 'listing']);
  const chain = names.slice(0, chainLen);
  const archive = names[chainLen]!;
  const section = capitalize(simpleWord(rng));
  const itemText = (): string => (rng.next() < 0.15 ? `${capitalize(simpleWord(rng))} & ${capitalize(simpleWord(rng))}` : `${capitalize(simpleWord(rng))} ${simpleWord(rng)} ${rng.int(2, 99)}`);
  const files: Record<string, string> = {};
  const all: string[] = [];
  const seen = new Set<string>();
  const freshItem = (): string => {
    let t = itemText();
    while (seen.has(t)) t = itemText();
    seen.add(t);
    return t;
  };
  chain.forEach((name, i) => {
    const items = Array.from({ length: rng.int(2, 5) }, freshItem);
    all.push(...items);
    const lis = items.map((t) => `      <li class="${cls}">${escapeHtml(t)}</li>`);
    lis.splice(rng.int(0, lis.length), 0, `      <li class="ad">${escapeHtml(`Sponsored: ${capitalize(simpleWord(rng))} ${simpleWord(rng)}`)}</li>`);
    const prev = i > 0 ? `<a class="prev" href="${chain[i - 1]}">Previous</a>` : '';
    const next = i < chain.length - 1 ? `<a class="next" href="${chain[i + 1]}">Next</a>` : '';
    const body =
      `${nav(rng)}\n  <main>\n    <h1>${escapeHtml(section)} — page ${i + 1}</h1>\n    <ul class="results">\n${lis.join('\n')}\n    </ul>\n` +
      `    <div class="pager">${prev} ${next}</div>\n  </main>\n  <footer><a href="${archive}">Archive</a></footer>`;
    files[name] = page(`${section} ${i + 1}`, body);
  });
  const archived = Array.from({ length: rng.int(2, 4) }, freshItem);
  files[archive] = page(
    `${section} archive`,
    `${nav(rng)}\n  <main>\n    <h1>${escapeHtml(section)} — archive</h1>\n    <ul class="results">\n${archived.map((t) => `      <li class="${cls}">${escapeHtml(t)}</li>`).join('\n')}\n    </ul>\n  </main>`,
  );
  files['site.css'] = `li.ad { color: gray; }\n.pager a { margin: 0 1em; }\n`;
  const expected = [...all].sort();
  const withArchive = [...all, ...archived].sort();
  const prompt =
    `A small website is saved here as HTML files (no browser; read the files). ` +
    `Start at \`${start}\` and follow \`<a class="next" href="…">\` from page to page until a page has none. ` +
    `Write the text of every \`<li class="${cls}">\` on the visited pages (entities decoded) to \`result.json\`, a JSON array ` +
    `of strings sorted alphabetically.`;
  return {
    primitiveId: ID,
    level: 'L3',
    seed,
    prompt,
    setupFiles: files,
    requires: [],
    async check(ctx) {
      const got = await ctx.readFile('result.json');
      if (got === undefined) return [cp('file_exists', false, 'result.json was not created')];
      const v = parseJsonLoose(got);
      if (!Array.isArray(v)) return [cp('file_exists', true), cp('json_array', false, 'result.json is not a JSON array')];
      const items = v.map((x) => squashSpaces(String(x)));
      const missing = expected.filter((t) => !items.includes(t));
      const extra = items.filter((t) => !expected.includes(t));
      const sorted = isAlphabetical(items);
      return [
        cp('file_exists', true),
        cp('json_array', true),
        cp('items_complete', missing.length === 0, `missing ${JSON.stringify(missing)}`),
        cp('no_extra_items', extra.length === 0 && items.length === expected.length, `unexpected ${JSON.stringify(extra)}`),
        cp('sorted', sorted, 'items are not in alphabetical order'),
      ];
    },
    reference: solution(
      ...chain.map((name) => ({ toolCalls: [call.read(name)] })),
      { toolCalls: [call.write('result.json', JSON.stringify(expected, null, 2) + '\n')] },
      { text: `Visited ${chain.length} pages and collected ${expected.length} items into result.json.` },
    ),
    // Reads every page in the folder instead of following the links, so the archive gets in.
    nearMiss: solution(
      { toolCalls: [call.list('.')] },
      { toolCalls: [...chain, archive].map((name) => call.read(name)) },
      { toolCalls: [call.write('result.json', JSON.stringify(withArchive, null, 2) + '\n')] },
      { text: `Collected ${withArchive.length} items into result.json.` },
    ),
  };
}

export const generator = generatorByLevel(ID, {
  L1: 'Static HTML only (no browser): write the displayed text of one element by id (nested tags, entities, decoys with similar ids).',
  L2: 'Static HTML only (no browser): convert one of two tables to CSV, with cells needing quoting and entity decoding.',
  L3: 'Static HTML only (no browser): follow a.next links across 3–5 saved pages and collect every list item of a given class (an unlinked archive page and li.ad entries are decoys).',
}, { L1: level1, L2: level2, L3: level3 });
