import { call, cp, generatorByLevel, solution, type ProbeRng } from '../toolkit.js';
import type { ProbeCheckpoint, ProbeInstance } from '../types.js';
import { capitalize, distinctWords, SIMPLE_SOUNDS, simpleWord } from '../gen/words.js';
import { firstLineDiff, trimmedLines } from '../gen/text.js';

/**
 * tool.file.write — writing files with tools.
 *  L1  a short (< 1 KB) config file given verbatim, with indentation and a blank line to keep.
 *  L2  a 1.5–8 KB CSV whose N rows follow stated rules (numbering, padding, a word cycle, a formula).
 *  L3  3–5 files in a small folder tree, written in order, then a manifest of their line counts.
 */

const ID = 'tool.file.write';

function sameText(got: string, want: string): { ok: boolean; reason: string } {
  const g = trimmedLines(got);
  const w = trimmedLines(want);
  const ok = g.length === w.length && g.every((l, i) => l === w[i]);
  return { ok, reason: ok ? '' : firstLineDiff(g, w) };
}

function level1(rng: ProbeRng, seed: number): ProbeInstance {
  const app = simpleWord(rng);
  const file = `${app}.conf`;
  const sections = distinctWords(rng, 2, SIMPLE_SOUNDS);
  const lines: string[] = [`# ${app} settings, rev ${rng.int(2, 40)}`, `[${sections[0]}]`, `name = ${simpleWord(rng)}`];
  const indented = rng.int(2, 3);
  for (let i = 0; i < indented; i++) {
    lines.push(rng.pick([`  retries = ${rng.int(1, 9)}`, `  path = /srv/${simpleWord(rng)}/${simpleWord(rng)}`, `  timeout_ms = ${rng.int(100, 9000)}`, `    mode = ${simpleWord(rng)}`]));
  }
  lines.push('', `[${sections[1]}]`, `enabled = ${rng.pick(['true', 'false'])}`, `owner = ${capitalize(simpleWord(rng))} ${capitalize(simpleWord(rng))}`);
  if (rng.next() < 0.5) lines.push(`  note = "${simpleWord(rng)} ${simpleWord(rng)}"`);
  const text = lines.join('\n') + '\n';
  const prompt =
    `Create \`${file}\` with exactly this content (fences excluded), keeping every indent and the blank line:\n` +
    '```\n' +
    text +
    '```';
  const flattened = lines.map((l) => l.trimStart()).join('\n') + '\n';
  return {
    primitiveId: ID,
    level: 'L1',
    seed,
    prompt,
    setupFiles: {},
    requires: [],
    async check(ctx) {
      const got = await ctx.readFile(file);
      if (got === undefined) return [cp('file_exists', false, `${file} was not created`)];
      const s = sameText(got, text);
      return [cp('file_exists', true), cp('content_match', s.ok, s.reason)];
    },
    reference: solution({ toolCalls: [call.write(file, text)] }, { text: `Created ${file}.` }),
    nearMiss: solution({ toolCalls: [call.write(file, flattened)] }, { text: `Created ${file} with the settings.` }),
  };
}

function level2(rng: ProbeRng, seed: number): ProbeInstance {
  const file = `${simpleWord(rng)}_${rng.pick(['stock', 'ledger', 'roster', 'catalog'])}.csv`;
  const prefix = simpleWord(rng, 1).toUpperCase() + String.fromCharCode(65 + rng.int(0, 25));
  const cycle = distinctWords(rng, rng.int(4, 7), SIMPLE_SOUNDS);
  const a = rng.int(7, 97);
  const b = rng.int(101, 997);
  const n = rng.int(80, 220);
  const row = (i: number): string => `${i},${prefix}-${String(i).padStart(4, '0')},${cycle[(i - 1) % cycle.length]},${(i * a) % b}`;
  const header = 'id,code,label,amount';
  const rows = Array.from({ length: n }, (_, k) => row(k + 1));
  const text = [header, ...rows].join('\n') + '\n';
  const prompt =
    `Create the CSV \`${file}\`: header \`${header}\`, then exactly ${n} rows for i = 1…${n} in order, where\n` +
    `id = i; code = \`${prefix}-\` + i zero-padded to 4 digits (\`${prefix}-0007\` for i = 7); ` +
    `label cycles through ${cycle.join(', ')} (row ${cycle.length + 1} is ${cycle[0]} again); amount = (i × ${a}) mod ${b}.\n` +
    `No quotes, spaces or blank lines.`;
  const short = [header, ...rows.slice(0, n - 1)].join('\n') + '\n';
  return {
    primitiveId: ID,
    level: 'L2',
    seed,
    prompt,
    setupFiles: {},
    requires: [],
    async check(ctx): Promise<ProbeCheckpoint[]> {
      const got = await ctx.readFile(file);
      if (got === undefined) return [cp('file_exists', false, `${file} was not created`)];
      const g = trimmedLines(got).filter((l) => l !== '');
      const size = Buffer.byteLength(got);
      const bad = g.slice(1).findIndex((l, k) => l.replace(/\s+/g, '') !== rows[k]);
      return [
        cp('file_exists', true),
        cp('size_in_range', size >= 1024 && size <= 10 * 1024, `${size} bytes`),
        cp('header', (g[0] ?? '').replace(/\s+/g, '') === header, `header is ${JSON.stringify(g[0] ?? '')}`),
        cp('row_count', g.length - 1 === n, `expected ${n} data rows, found ${g.length - 1}`),
        cp('rows_correct', bad < 0 && g.length - 1 >= n, bad >= 0 ? `row ${bad + 1}: expected ${rows[bad]}, got ${g[bad + 1]}` : 'rows missing'),
      ];
    },
    reference: solution({ toolCalls: [call.write(file, text)] }, { text: `Created ${file} with ${n} rows.` }),
    nearMiss: solution({ toolCalls: [call.write(file, short)] }, { text: `Created ${file} with the rows.` }),
  };
}

interface PlannedFile {
  rel: string;
  content: string;
}

function level3(rng: ProbeRng, seed: number): ProbeInstance {
  const proj = simpleWord(rng);
  const kinds = rng.shuffle(['conf', 'src', 'data', 'notes']).slice(0, rng.int(2, 4));
  const files: PlannedFile[] = [];
  files.push({
    rel: 'README.md',
    content: [`# ${capitalize(proj)}`, '', `${capitalize(simpleWord(rng))} ${simpleWord(rng)} ${simpleWord(rng)} for the ${simpleWord(rng)} team.`, `Version ${rng.int(1, 9)}.${rng.int(0, 20)}`].join('\n') + '\n',
  });
  for (const kind of kinds) {
    const name = simpleWord(rng);
    if (kind === 'conf') {
      files.push({ rel: `conf/${name}.ini`, content: [`[${simpleWord(rng)}]`, `host = ${simpleWord(rng)}.local`, `port = ${rng.int(1024, 65000)}`, `[${simpleWord(rng)}]`, `level = ${rng.pick(['debug', 'info', 'warn'])}`].join('\n') + '\n' });
    } else if (kind === 'src') {
      const fn = `${simpleWord(rng)}_${simpleWord(rng)}`;
      const k = rng.int(2, 9);
      files.push({ rel: `src/${name}.py`, content: [`def ${fn}(values):`, `    total = 0`, `    for v in values:`, `        total += v * ${k}`, `    return total`].join('\n') + '\n' });
    } else if (kind === 'data') {
      const rows = Array.from({ length: rng.int(2, 4) }, () => `${simpleWord(rng)},${rng.int(1, 500)}`);
      files.push({ rel: `data/${name}.csv`, content: ['name,count', ...rows].join('\n') + '\n' });
    } else {
      const ls = Array.from({ length: rng.int(2, 3) }, () => `- ${simpleWord(rng)} ${simpleWord(rng)} ${simpleWord(rng)}`);
      files.push({ rel: `notes/${name}.txt`, content: ls.join('\n') + '\n' });
    }
  }
  const manifest = files.map((f) => `${f.rel} ${trimmedLines(f.content).length}`).join('\n') + '\n';
  const blocks = files.map((f, i) => `${i + 1}. \`${proj}/${f.rel}\`\n` + '```\n' + f.content + '```').join('\n');
  const prompt =
    `Create these ${files.length} files in this order, each with exactly the content shown (fences excluded):\n${blocks}\n` +
    `Then create \`${proj}/MANIFEST.txt\`: one line per file, same order, \`<path relative to ${proj}/> <line count>\` (e.g. \`README.md 4\`).`;
  const nested = files[1]!;
  const flatRel = nested.rel.replace(/^.*\//, '');
  return {
    primitiveId: ID,
    level: 'L3',
    seed,
    prompt,
    setupFiles: {},
    requires: [],
    async check(ctx): Promise<ProbeCheckpoint[]> {
      const out: ProbeCheckpoint[] = [];
      for (const f of files) {
        const got = await ctx.readFile(`${proj}/${f.rel}`);
        out.push(cp(`${f.rel}_exists`, got !== undefined, `${proj}/${f.rel} was not created`));
        if (got !== undefined) {
          const s = sameText(got, f.content);
          out.push(cp(`${f.rel}_content`, s.ok, s.reason));
        }
      }
      const m = await ctx.readFile(`${proj}/MANIFEST.txt`);
      if (m === undefined) out.push(cp('manifest', false, 'MANIFEST.txt was not created'));
      else {
        const g = trimmedLines(m).filter((l) => l.trim() !== '').map((l) => l.trim().replace(/\s+/g, ' ').replace(/^\.\//, ''));
        const w = trimmedLines(manifest);
        out.push(cp('manifest', g.length === w.length && g.every((l, i) => l === w[i]), firstLineDiff(g, w)));
      }
      return out;
    },
    reference: solution(
      ...files.map((f) => ({ toolCalls: [call.write(`${proj}/${f.rel}`, f.content)] })),
      { toolCalls: [call.write(`${proj}/MANIFEST.txt`, manifest)] },
      { text: `Created ${files.length} files and the manifest under ${proj}/.` },
    ),
    nearMiss: solution(
      ...files.map((f) => ({ toolCalls: [call.write(`${proj}/${f === nested ? flatRel : f.rel}`, f.content)] })),
      { toolCalls: [call.write(`${proj}/MANIFEST.txt`, manifest)] },
      { text: `Created the project files and MANIFEST.txt under ${proj}/.` },
    ),
  };
}

export const generator = generatorByLevel(ID, {
  L1: 'Write a short (< 1 KB) config file given verbatim, keeping its indentation and blank line exactly.',
  L2: 'Write a 1.5–8 KB CSV of 80–220 rows defined by stated rules (numbering, zero padding, a word cycle, a formula).',
  L3: 'Write 3–5 files of a small folder tree in order, then a manifest listing each path and its line count.',
}, { L1: level1, L2: level2, L3: level3 });
