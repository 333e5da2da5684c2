import { call, cp, generatorByLevel, numbersIn, solution, type ProbeRng } from '../toolkit.js';
import type { ProbeCheckpoint, ProbeInstance } from '../types.js';
import { distinctWords, randomChars, SIMPLE_SOUNDS, simpleWord } from '../gen/words.js';
import { secondsIsoFormatter } from '../gen/timestamps.js';
import { firstLineDiff, trimmedLines } from '../gen/text.js';

/**
 * tool.file.read — reading files with tools.
 *  L1  copy one named file (next to a near-identical decoy) exactly into result.txt.
 *  L2  several named files, some missing: one `name: token` / `name: MISSING` line each, in order.
 *  L3  a log of thousands of lines (> 256 KiB, so one read_file is cut off): copy a run of lines
 *      that lies beyond the cut and report the file's total line count.
 */

const ID = 'tool.file.read';
/** What one read_file returns at most (the bare agent's cap, see agent/tools.ts). */
const READ_CAP_BYTES = 256 * 1024;

/** Token characters: capitals and digits, without the look-alikes I, O, 0 and 1. */
const TOKEN_CHARS = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';

function noteLine(rng: ProbeRng): string {
  const kind = rng.int(0, 3);
  const a = simpleWord(rng);
  const b = simpleWord(rng);
  if (kind === 0) return `${a} ${b}: ${rng.int(2, 9999)}`;
  if (kind === 1) return `- ${a} ${simpleWord(rng)} ${b} (${randomChars(rng, TOKEN_CHARS, 4)})`;
  if (kind === 2) return `${a[0]!.toUpperCase()}${a.slice(1)} ${b}, ${simpleWord(rng)} ${rng.float(0, 500, 2)}`;
  return `#${rng.int(10, 99)} ${a}=${b}`;
}

function level1(rng: ProbeRng, seed: number): ProbeInstance {
  const dir = rng.pick(['notes', 'docs', 'records', 'memo']);
  const base = simpleWord(rng);
  const target = `${dir}/${base}.txt`;
  const decoy = `${dir}/${base}_old.txt`;
  const n = rng.int(4, 9);
  const content = Array.from({ length: n }, () => noteLine(rng));
  const changed = rng.int(0, n - 1);
  const decoyLines = [...content];
  decoyLines[changed] = noteLine(rng);
  if (decoyLines[changed] === content[changed]) decoyLines[changed] += ' x';
  const text = content.join('\n') + '\n';
  const decoyText = decoyLines.join('\n') + '\n';
  const prompt =
    `Copy \`${target}\` exactly into a new file \`result.txt\`: same lines, same order, nothing added. Leave \`${target}\` unchanged.`;
  return {
    primitiveId: ID,
    level: 'L1',
    seed,
    prompt,
    setupFiles: { [target]: text, [decoy]: decoyText, [`${dir}/index.txt`]: `${base}.txt\n${base}_old.txt\n` },
    requires: [],
    async check(ctx) {
      const got = await ctx.readFile('result.txt');
      if (got === undefined) return [cp('file_exists', false, 'result.txt was not created')];
      const g = trimmedLines(got);
      return [cp('file_exists', true), cp('content_correct', g.join('\n') === content.join('\n'), firstLineDiff(g, content))];
    },
    reference: solution({ toolCalls: [call.read(target)] }, { toolCalls: [call.write('result.txt', text)] }, { text: `Copied ${target} into result.txt.` }),
    nearMiss: solution({ toolCalls: [call.list(dir)] }, { toolCalls: [call.read(decoy)] }, { toolCalls: [call.write('result.txt', decoyText)] }, { text: `Copied the note into result.txt.` }),
  };
}

function level2(rng: ProbeRng, seed: number): ProbeInstance {
  const dir = rng.pick(['inbox', 'batch', 'incoming', 'queue']);
  const k = rng.int(4, 6);
  const missingCount = rng.int(1, 2);
  const names = distinctWords(rng, k, SIMPLE_SOUNDS).map((w) => `${w}.txt`);
  const missing = new Set(rng.sample(names, missingCount));
  const entries = names.map((name) => {
    if (missing.has(name)) return { name, token: undefined as string | undefined, text: '' };
    const code = randomChars(rng, TOKEN_CHARS, 6);
    const body = Array.from({ length: rng.int(2, 5) }, () => noteLine(rng));
    body.splice(rng.int(0, body.length), 0, `ref: ${code}`);
    return { name, token: code as string | undefined, text: body.join('\n') + '\n' };
  });
  const setupFiles: Record<string, string> = {};
  for (const e of entries) if (e.token !== undefined) setupFiles[`${dir}/${e.name}`] = e.text;
  // A present file that is not asked for, so listing the folder is not the same as the request.
  const extra = `${simpleWord(rng)}x.txt`;
  setupFiles[`${dir}/${extra}`] = `${noteLine(rng)}\nref: ${randomChars(rng, TOKEN_CHARS, 6)}\n`;
  const expected = entries.map((e) => `${e.name}: ${e.token ?? 'MISSING'}`);
  const prompt =
    `Each of these files holds a line \`ref: <code>\`; some may not exist:\n` +
    names.map((n) => `${dir}/${n}`).join('\n') +
    `\nWrite \`result.txt\` with one line per file, in this order: \`<file name>: <code>\`, or \`<file name>: MISSING\` if absent (name without the folder).`;
  const readCalls = names.map((n) => call.read(`${dir}/${n}`));
  return {
    primitiveId: ID,
    level: 'L2',
    seed,
    prompt,
    setupFiles,
    requires: [],
    async check(ctx) {
      const got = await ctx.readFile('result.txt');
      if (got === undefined) return [cp('file_exists', false, 'result.txt was not created')];
      const rows = trimmedLines(got)
        .filter((l) => l.trim() !== '')
        .map((l) => l.trim().replace(/\s*:\s*/, ': ').replace(/^`|`$/g, ''));
      const byName = new Map<string, string>();
      for (const r of rows) {
        const m = /^(\S+): (.*)$/.exec(r);
        if (m) byName.set(m[1]!.replace(/^.*\//, ''), m[2]!.trim());
      }
      const present = entries.filter((e) => e.token !== undefined);
      const absent = entries.filter((e) => e.token === undefined);
      const badPresent = present.filter((e) => byName.get(e.name) !== e.token).map((e) => e.name);
      const badAbsent = absent.filter((e) => (byName.get(e.name) ?? '').toUpperCase() !== 'MISSING').map((e) => e.name);
      const order = rows.map((r) => r.split(':')[0]!.replace(/^.*\//, ''));
      const orderOk = order.length === names.length && order.every((n, i) => n === names[i]);
      return [
        cp('file_exists', true),
        cp('found_entries', badPresent.length === 0, `wrong or absent code for ${badPresent.join(', ')}`),
        cp('missing_entries', badAbsent.length === 0, `not marked MISSING: ${badAbsent.join(', ')}`),
        cp('order_and_count', orderOk, `expected ${names.length} lines in the listed order, got: ${order.join(', ')}`),
      ];
    },
    reference: solution({ toolCalls: readCalls }, { toolCalls: [call.write('result.txt', expected.join('\n') + '\n')] }, { text: `Wrote result.txt; ${[...missing].join(', ')} did not exist.` }),
    nearMiss: solution(
      { toolCalls: readCalls },
      { toolCalls: [call.write('result.txt', entries.filter((e) => e.token !== undefined).map((e) => `${e.name}: ${e.token}`).join('\n') + '\n')] },
      { text: 'Wrote the codes of the files to result.txt.' },
    ),
  };
}

function level3(rng: ProbeRng, seed: number): ProbeInstance {
  const name = `${simpleWord(rng)}.log`;
  const total = rng.int(5200, 8000);
  const hosts = Array.from({ length: rng.int(6, 12) }, () => `${simpleWord(rng, 2)}-${rng.int(1, 40)}`);
  const verbs = distinctWords(rng, 14, SIMPLE_SOUNDS);
  const levels = ['INFO', 'INFO', 'INFO', 'DEBUG', 'WARN', 'ERROR'];
  let t = Date.UTC(2024, rng.int(0, 11), rng.int(1, 28), rng.int(0, 23), rng.int(0, 59), 0);
  const iso = secondsIsoFormatter();
  const all: string[] = [];
  let bytes = 0;
  // Enough lines that a good stretch of the file lies past what one read_file shows.
  for (let i = 0; i < total || bytes < READ_CAP_BYTES * 1.3; i++) {
    t += rng.int(0, 9) * 1000;
    const ts = iso(t);
    const line = `${ts} ${rng.pick(hosts)} ${rng.pick(levels)} ${rng.pick(verbs)} ${rng.pick(verbs)} id=${randomChars(rng, TOKEN_CHARS, 8)} ms=${rng.int(1, 4000)}`;
    all.push(line);
    bytes += line.length + 1;
  }
  const lineCount = all.length;
  const text = all.join('\n') + '\n';
  // Lines fully shown by one read_file (the first READ_CAP_BYTES bytes; the text is ASCII).
  const visibleText = text.slice(0, READ_CAP_BYTES);
  const visibleLines = visibleText.split('\n').length - 1;
  const count = rng.int(4, 8);
  const start = rng.int(visibleLines + 150, lineCount - count - 40);
  const end = start + count - 1;
  const wanted = all.slice(start - 1, end);
  const truncatedGuess = all.slice(visibleLines - count, visibleLines);
  const prompt =
    `\`${name}\` is a log of several thousand lines.\n` +
    `1. Copy lines ${start} to ${end} (numbered from 1, both included) exactly into \`result.txt\`, nothing else.\n` +
    `2. In your final answer, state how many lines \`${name}\` has.\n` +
    `Leave \`${name}\` unchanged.`;
  return {
    primitiveId: ID,
    level: 'L3',
    seed,
    prompt,
    setupFiles: { [name]: text },
    requires: [],
    async check(ctx): Promise<ProbeCheckpoint[]> {
      const got = await ctx.readFile('result.txt');
      const out: ProbeCheckpoint[] = [];
      if (got === undefined) out.push(cp('file_exists', false, 'result.txt was not created'));
      else {
        const g = trimmedLines(got);
        out.push(cp('file_exists', true));
        out.push(cp('lines_correct', g.join('\n') === wanted.join('\n'), firstLineDiff(g, wanted)));
      }
      const nums = numbersIn(ctx.finalText);
      out.push(cp('line_count_reported', nums.includes(lineCount), `the answer should state ${lineCount} lines`));
      return out;
    },
    reference: solution(
      { toolCalls: [call.exec(`wc -l < ${name}`), call.exec(`sed -n '${start},${end}p' ${name} > result.txt`)] },
      { toolCalls: [call.read('result.txt')] },
      { text: `result.txt now holds lines ${start}-${end}. ${name} has ${lineCount} lines in total.` },
    ),
    nearMiss: solution(
      { toolCalls: [call.read(name)] },
      { toolCalls: [call.write('result.txt', truncatedGuess.join('\n') + '\n')] },
      { text: `Done. The log has ${visibleLines} lines; I wrote the requested lines to result.txt.` },
    ),
  };
}

export const generator = generatorByLevel(ID, {
  L1: 'Read one named file (a near-identical decoy sits next to it) and copy it exactly into result.txt.',
  L2: 'Read 4–6 named files, 1–2 of them missing, and write `name: code` or `name: MISSING` lines in the given order.',
  L3: 'A 5,000–8,000-line log (> 256 KiB, so one read_file is cut off): copy lines that lie beyond the cut (offset reading) and report the total line count.',
}, { L1: level1, L2: level2, L3: level3 });
