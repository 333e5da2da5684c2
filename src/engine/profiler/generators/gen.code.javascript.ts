import { createHash } from 'node:crypto';
import { cp, generatorByLevel, tryParseJson, type ProbeRng } from '../toolkit.js';
import type { ProbeCheckpoint, ProbeInstance } from '../types.js';
import { distinctWords, RICH_SOUNDS, richWord } from '../gen/words.js';
import { checkProgram, programSolution } from '../gen/code-check.js';

/**
 * gen.code.javascript — the agent writes a Node script and runs it; the check compares what that
 * run wrote with the answer computed here, then replaces the input with fresh data of the same
 * shape and re-runs `node solution.js`, so a script that recites a hard-coded answer fails.
 * L1 fs + string handling, L2 built-in modules (fs, path, crypto) over a directory of UTF-8
 * files, L3 async/await with concurrent reads (Promise.all) and a merge.
 */

const PRIMITIVE_ID = 'gen.code.javascript';

// ── L1: fs + strings ───────────────────────────────────────────────────────────────────────

type L1Kind = 'char' | 'long';

/** Lines of pseudo-words where the counted property has its boundary cases present. */
function l1Text(rng: ProbeRng, kind: L1Kind, ch: string, len: number): string[] {
  const n = rng.int(8, 24);
  const out = Array.from({ length: n }, () => Array.from({ length: rng.int(2, 6) }, () => richWord(rng, rng.int(1, 3))).join(' '));
  const [a, b] = rng.sample(
    out.map((_, i) => i),
    2,
  ) as [number, number];
  if (kind === 'char') {
    // One line holds the letter several times, another not at all.
    out[a] += ` ${ch}${richWord(rng, 1)}${ch} ${richWord(rng, 1)}`;
    out[b] = out[b]!.split(ch).join('u');
  } else {
    // A word of exactly the limit and one above it.
    out[a] += ` ${exactWord(rng, len)}`;
    out[b] += ` ${exactWord(rng, len + rng.int(1, 3))}`;
  }
  return out;
}

function exactWord(rng: ProbeRng, len: number): string {
  let w = '';
  while (w.length < len) w += richWord(rng, 1);
  return w.slice(0, len);
}

function l1Answer(kind: L1Kind, text: string[], ch: string, len: number, wrong = false): number {
  if (kind === 'char') return wrong ? text.join('\n').split(ch).length - 1 : text.filter((l) => l.includes(ch)).length;
  return text
    .join(' ')
    .split(/\s+/)
    .filter((w) => (wrong ? w.length >= len : w.length > len)).length;
}

function generateL1(rng: ProbeRng, seed: number): ProbeInstance {
  const kind = rng.pick<L1Kind>(['char', 'long']);
  const ch = rng.pick(['a', 'e', 'i', 'o', 'r', 's', 't', 'n']);
  const len = rng.int(5, 8);
  const file = rng.pick(['input.txt', 'words.txt', 'lines.txt', 'text.txt']);
  const outFile = rng.pick(['result.txt', 'count.txt', 'answer.txt', 'output.txt']);
  const text = l1Text(rng, kind, ch, len);
  const fresh = l1Text(rng, kind, ch, len);
  const want = l1Answer(kind, text, ch, len);
  const wantFresh = l1Answer(kind, fresh, ch, len);
  const body = (t: string[]) => t.join('\n') + '\n';

  const ask =
    kind === 'char'
      ? `lines containing the letter "${ch}"`
      : `space-separated words longer than ${len} characters (${len + 1} or more)`;
  const prompt = [
    `${file} holds lines of lowercase words.`,
    `Write a Node.js script solution.js that reads ${file} with fs and writes to ${outFile} only the count of ${ask}.`,
    `Run it; it must recompute from ${file} each run, leaving it unchanged.`,
  ].join('\n');

  const src = (wrong: boolean) => {
    const count =
      kind === 'char'
        ? wrong
          ? [`const count = text.split('${ch}').length - 1;`]
          : ["const rows = text.split('\\n').filter((l) => l.length > 0);", `const count = rows.filter((l) => l.includes('${ch}')).length;`]
        : ["const words = text.split(/\\s+/).filter((w) => w.length > 0);", `const count = words.filter((w) => w.length ${wrong ? '>=' : '>'} ${len}).length;`];
    return ["const fs = require('fs');", '', `const text = fs.readFileSync('${file}', 'utf8');`, ...count, `fs.writeFileSync('${outFile}', String(count) + '\\n');`, ''].join('\n');
  };

  const judge = async (read: (rel: string) => Promise<string | undefined>, isFresh: boolean) => {
    const got = await read(outFile);
    if (got === undefined) return `${outFile} is missing`;
    const w = isFresh ? wantFresh : want;
    return got.trim() === String(w) ? undefined : `${outFile} holds ${JSON.stringify(got.trim().slice(0, 40))}, expected ${w}`;
  };

  return {
    primitiveId: PRIMITIVE_ID,
    level: 'L1',
    seed,
    prompt,
    setupFiles: { [file]: body(text) },
    requires: ['node'],
    check: (ctx) => checkProgram(ctx, { script: 'solution.js', command: 'node solution.js', outputs: [outFile], freshInputs: { [file]: body(fresh) }, judge }),
    reference: programSolution('solution.js', src(false), 'node solution.js', `cat ${outFile}`, `solution.js is written and was run; ${outFile} holds the count.`),
    nearMiss: programSolution('solution.js', src(true), 'node solution.js', `cat ${outFile}`, `solution.js is written and was run; ${outFile} holds the count.`),
  };
}

// ── L2: built-in modules over a directory ──────────────────────────────────────────────────

const ACCENTED = ['é', 'ü', 'ß', 'ø', 'ñ', 'å', 'ç', 'ö', '—', '€', '°', '“', '”'];

interface L2Params {
  dir: string;
  ext: string;
  algo: 'sha256' | 'sha1' | 'md5';
}

function l2Files(rng: ProbeRng, par: L2Params): Record<string, string> {
  const names = distinctWords(rng, rng.int(3, 6), RICH_SOUNDS, { syllables: [1, 2] });
  const files: Record<string, string> = {};
  for (const nm of names) {
    const rows = Array.from({ length: rng.int(2, 7) }, () =>
      Array.from({ length: rng.int(3, 8) }, () => {
        const w = richWord(rng, rng.int(1, 3));
        return rng.next() < 0.25 ? w + rng.pick(ACCENTED) : w;
      }).join(' '),
    );
    rows[0] = `${rows[0]} ${rng.pick(ACCENTED)}${richWord(rng, 1)}`;
    files[`${par.dir}/${nm}.${par.ext}`] = rows.join('\n') + '\n';
  }
  // A file with another extension, which must be left out.
  const otherExt = rng.pick(['json', 'csv', 'bak', 'txt', 'md', 'log'].filter((e) => e !== par.ext));
  files[`${par.dir}/${rng.pick(['index', 'readme', 'meta', 'notes'])}.${otherExt}`] = `{"note": "${richWord(rng, 2)} é"}\n`;
  return files;
}

type FileInfo = Record<string, string | number>;

function l2Answer(files: Record<string, string>, par: L2Params): FileInfo[] {
  return Object.entries(files)
    .filter(([p]) => p.endsWith(`.${par.ext}`))
    .map(([p, c]) => ({
      file: p.slice(par.dir.length + 1),
      bytes: Buffer.byteLength(c, 'utf8'),
      lines: c.split('\n').length - 1,
      [par.algo]: createHash(par.algo).update(c, 'utf8').digest('hex'),
    }))
    .sort((a, b) => (a.file! < b.file! ? -1 : a.file! > b.file! ? 1 : 0));
}

function judgeL2(got: string | undefined, want: FileInfo[], par: L2Params): string | undefined {
  if (got === undefined) return 'result.json is missing';
  const j = tryParseJson(got);
  if (!Array.isArray(j)) return 'result.json is not a JSON array';
  if (j.length !== want.length) return `result.json has ${j.length} entries, expected ${want.length} (${want.map((w) => w.file).join(', ')})`;
  for (let i = 0; i < want.length; i++) {
    const g = j[i] as FileInfo | null;
    const w = want[i]!;
    if (!g || typeof g !== 'object') return `entry ${i} is not an object`;
    for (const k of ['file', 'bytes', 'lines', par.algo]) {
      const gv = k === par.algo && typeof g[k] === 'string' ? (g[k] as string).toLowerCase() : g[k];
      if (gv !== w[k]) return `entry ${i} (${w.file}) has ${k} ${JSON.stringify(g[k])}, expected ${JSON.stringify(w[k])}`;
    }
  }
  return undefined;
}

function generateL2(rng: ProbeRng, seed: number): ProbeInstance {
  const par: L2Params = {
    dir: rng.pick(['docs', 'notes', 'pages', 'texts', 'articles', 'drafts']),
    ext: rng.pick(['txt', 'md', 'log']),
    algo: rng.pick(['sha256', 'sha1', 'md5'] as const),
  };
  const { dir, ext, algo } = par;
  const algoName = algo === 'md5' ? 'MD5' : algo === 'sha1' ? 'SHA-1' : 'SHA-256';
  const files = l2Files(rng, par);
  const fresh = l2Files(rng, par);
  const want = l2Answer(files, par);
  const wantFresh = l2Answer(fresh, par);

  const prompt = [
    `${dir}/ holds UTF-8 text files (.${ext}) and other files.`,
    `Write a Node.js script solution.js using the built-in fs, path and crypto modules that writes result.json: an array with one object per .${ext} file directly in ${dir}/ (no other files), sorted by file name:`,
    `{"file": "<name without folder>", "bytes": <size in bytes>, "lines": <number of newline characters>, "${algo}": "<lowercase hex ${algoName} of the contents>"}`,
    `Run it; it must list and read ${dir}/ each run, leaving it unchanged.`,
  ].join('\n');

  const src = (wrongBytes: boolean) =>
    [
      "const fs = require('fs');",
      "const path = require('path');",
      "const crypto = require('crypto');",
      '',
      `const dir = '${dir}';`,
      'const names = fs',
      '  .readdirSync(dir)',
      `  .filter((n) => path.extname(n) === '.${ext}' && fs.statSync(path.join(dir, n)).isFile())`,
      '  .sort();',
      'const result = names.map((name) => {',
      ...(wrongBytes
        ? ["  const text = fs.readFileSync(path.join(dir, name), 'utf8');", '  return {', '    file: name,', '    bytes: text.length,', "    lines: text.split('\\n').length - 1,", `    ${algo}: crypto.createHash('${algo}').update(text).digest('hex'),`, '  };']
        : [
            '  const data = fs.readFileSync(path.join(dir, name));',
            '  return {',
            '    file: name,',
            '    bytes: data.length,',
            "    lines: data.toString().split('\\n').length - 1,",
            `    ${algo}: crypto.createHash('${algo}').update(data).digest('hex'),`,
            '  };',
          ]),
      '});',
      "fs.writeFileSync('result.json', JSON.stringify(result, null, 2) + '\\n');",
      '',
    ].join('\n');

  return {
    primitiveId: PRIMITIVE_ID,
    level: 'L2',
    seed,
    prompt,
    setupFiles: files,
    requires: ['node'],
    check: (ctx) =>
      checkProgram(ctx, {
        script: 'solution.js',
        command: 'node solution.js',
        outputs: ['result.json'],
        freshPrep: `rm -rf '${dir}' && mkdir -p '${dir}'`,
        freshInputs: fresh,
        judge: async (read, isFresh) => judgeL2(await read('result.json'), isFresh ? wantFresh : want, par),
      }),
    reference: programSolution('solution.js', src(false), 'node solution.js', 'cat result.json', `solution.js lists the .${ext} files of ${dir}/ and wrote result.json.`),
    nearMiss: programSolution('solution.js', src(true), 'node solution.js', 'cat result.json', `solution.js lists the .${ext} files of ${dir}/ and wrote result.json.`),
  };
}

// ── L3: async/await, concurrent reads, merge ───────────────────────────────────────────────

interface Item {
  id: number;
  label: string;
  value: number;
}

/** The JSON key names used for an item's label and value in one instance. */
interface Keys {
  label: string;
  value: string;
}

const toJson = (it: Item, k: Keys) => ({ id: it.id, [k.label]: it.label, [k.value]: it.value });

function l3Files(rng: ProbeRng, k: number, prefix: string): Item[][] {
  const pool: number[] = [];
  const size = rng.int(8, 14);
  for (let i = 0, id = rng.int(100, 400); i < size; i++, id += rng.int(1, 9)) pool.push(id);
  const files: Item[][] = [];
  for (let f = 0; f < k; f++) {
    const ids = rng.sample(pool, rng.int(4, Math.min(8, pool.length)));
    files.push(ids.map((id) => ({ id, label: `${prefix}-${richWord(rng, 2)}`, value: rng.int(1, 999) })));
  }
  // At least one id appears in the first and in a later file with a different value.
  const later = rng.int(1, k - 1);
  const shared = files[0]![0]!;
  const existing = files[later]!.findIndex((it) => it.id === shared.id);
  const dup = { id: shared.id, label: `${prefix}-${richWord(rng, 2)}`, value: ((shared.value + rng.int(1, 500)) % 999) + 1 };
  if (existing >= 0) files[later]![existing] = dup;
  else files[later]!.splice(rng.int(0, files[later]!.length), 0, dup);
  return files;
}

function l3Answer(files: Item[][], keepFirst = false): { count: number; total: number; items: Item[] } {
  const byId = new Map<number, Item>();
  for (const f of files) for (const it of f) if (!keepFirst || !byId.has(it.id)) byId.set(it.id, it);
  const items = [...byId.values()].sort((a, b) => a.id - b.id);
  return { count: items.length, total: items.reduce((s, it) => s + it.value, 0), items };
}

function judgeL3(got: string | undefined, want: ReturnType<typeof l3Answer>, keys: Keys): string | undefined {
  if (got === undefined) return 'result.json is missing';
  const j = tryParseJson(got) as { count?: unknown; total?: unknown; items?: unknown } | undefined;
  if (!j || typeof j !== 'object' || Array.isArray(j)) return 'result.json is not a JSON object';
  if (!Array.isArray(j.items)) return 'items is not an array';
  const ids = j.items.map((it) => (it as { id?: unknown } | null)?.id);
  if (new Set(ids).size !== ids.length) return 'items has duplicate ids';
  if (j.items.length !== want.items.length) return `items has ${j.items.length} entries, expected ${want.items.length}`;
  for (let i = 0; i < want.items.length; i++) {
    const g = j.items[i] as Record<string, unknown> | null;
    const w = want.items[i]!;
    if (!g || g.id !== w.id || g[keys.label] !== w.label || g[keys.value] !== w.value) return `items[${i}] is ${JSON.stringify(g)}, expected ${JSON.stringify(toJson(w, keys))}`;
  }
  if (j.count !== want.count) return `count is ${JSON.stringify(j.count)}, expected ${want.count}`;
  if (j.total !== want.total) return `total is ${JSON.stringify(j.total)}, expected ${want.total}`;
  return undefined;
}

function generateL3(rng: ProbeRng, seed: number): ProbeInstance {
  const k = rng.int(3, 5);
  const stem = rng.pick(['batch', 'export', 'chunk', 'shard', 'feed', 'dump']);
  const prefix = richWord(rng, 1).toUpperCase();
  const names = Array.from({ length: k }, (_, i) => `${stem}${i + 1}.json`);
  const data = l3Files(rng, k, prefix);
  const fresh = l3Files(rng, k, prefix);
  const want = l3Answer(data);
  const wantFresh = l3Answer(fresh);
  const keys: Keys = rng.pick([
    { label: 'label', value: 'value' },
    { label: 'name', value: 'amount' },
    { label: 'title', value: 'points' },
    { label: 'tag', value: 'weight' },
    { label: 'sku', value: 'stock' },
  ]);
  const asFiles = (d: Item[][]) => Object.fromEntries(names.map((n, i) => [n, JSON.stringify(d[i]!.map((it) => toJson(it, keys)), null, 2) + '\n']));

  const prompt = [
    `${names[0]} to ${names[k - 1]} each hold an array of objects {"id": <int>, "${keys.label}": <string>, "${keys.value}": <int>}.`,
    'Write a Node.js script solution.js with an async main that reads all these files concurrently (fs/promises, Promise.all, await) and merges their arrays; for an id in several files keep only the object from the highest-numbered file.',
    `It writes result.json: {"count": <merged objects>, "total": <sum of ${keys.value}>, "items": <merged objects, unchanged, sorted by id ascending>}.`,
    'Run it; it must read the files each run, leaving them unchanged.',
  ].join('\n');

  const src = (keepFirst: boolean) =>
    [
      "const fs = require('fs/promises');",
      '',
      `const FILES = ${JSON.stringify(names)};`,
      '',
      'async function main() {',
      "  const texts = await Promise.all(FILES.map((f) => fs.readFile(f, 'utf8')));",
      '  const merged = new Map();',
      '  for (const text of texts) {',
      '    for (const item of JSON.parse(text)) {',
      keepFirst ? '      if (!merged.has(item.id)) merged.set(item.id, item);' : '      merged.set(item.id, item);',
      '    }',
      '  }',
      '  const items = [...merged.values()].sort((a, b) => a.id - b.id);',
      `  const total = items.reduce((s, it) => s + it.${keys.value}, 0);`,
      "  await fs.writeFile('result.json', JSON.stringify({ count: items.length, total, items }, null, 2) + '\\n');",
      '}',
      '',
      'main().catch((err) => {',
      '  console.error(err);',
      '  process.exit(1);',
      '});',
      '',
    ].join('\n');

  const scriptChecks = (script: string): ProbeCheckpoint[] => {
    const ok = /\bPromise\.all(Settled)?\s*\(/.test(script) && /\bawait\b/.test(script) && /\basync\b/.test(script);
    return [cp('uses_async', ok, 'the script does not read the files with async/await and Promise.all')];
  };

  return {
    primitiveId: PRIMITIVE_ID,
    level: 'L3',
    seed,
    prompt,
    setupFiles: asFiles(data),
    requires: ['node'],
    check: (ctx) =>
      checkProgram(ctx, {
        script: 'solution.js',
        command: 'node solution.js',
        outputs: ['result.json'],
        freshInputs: asFiles(fresh),
        judge: async (read, isFresh) => judgeL3(await read('result.json'), isFresh ? wantFresh : want, keys),
        scriptChecks,
      }),
    reference: programSolution('solution.js', src(false), 'node solution.js', 'cat result.json', 'solution.js reads the files concurrently, merges them (last file wins) and wrote result.json.'),
    nearMiss: programSolution('solution.js', src(true), 'node solution.js', 'cat result.json', 'solution.js reads the files concurrently, merges them and wrote result.json.'),
  };
}

export const generator = generatorByLevel(PRIMITIVE_ID, {
  L1: 'Write and run a single-file Node script that reads a text file with fs and writes a count of matching lines or words.',
  L2: "Write and run a Node script using the built-in fs, path and crypto modules to describe a folder's UTF-8 files (bytes, lines, SHA-256) as JSON.",
  L3: 'Write and run an async Node script that reads several JSON files concurrently with Promise.all/await and merges them by id, last file winning.',
}, { L1: generateL1, L2: generateL2, L3: generateL3 });
