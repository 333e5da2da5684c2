import { call, cp, generatorByLevel, numbersIn, solution, type ProbeRng } from '../toolkit.js';
import type { ProbeCheckpoint, ProbeInstance } from '../types.js';
import { distinctWords, SIMPLE_SOUNDS, simpleWord } from '../gen/words.js';
import { secondsIsoFormatter } from '../gen/timestamps.js';
import { firstLineDiff, squashedLines } from '../gen/text.js';
import { scriptRan, successfulCommands } from '../gen/code-check.js';
import { fixed2 } from '../gen/numbers.js';

/**
 * tool.exec — executing commands.
 *  L1  one shell command: count the lines of a 300–700-line file that contain a word as a whole
 *      word (longer words containing it are planted) → count.txt.
 *  L2  write summarize.py (per-sensor count/min/max/mean of a CSV), run it, save its output.
 *  L3  a three-step pipeline over an access log with intermediate files (filter → count → top-K).
 * Every level also requires, from the recorded steps, that a command really ran (exit code 0).
 */

const ID = 'tool.exec';

function level1(rng: ProbeRng, seed: number): ProbeInstance {
  const target = simpleWord(rng, 2);
  const file = `${simpleWord(rng)}.txt`;
  const decoys = [`${target}s`, `${target}ing`, `un${target}`, `${target}${simpleWord(rng, 1)}`, `${simpleWord(rng, 1)}${target}`];
  const filler = distinctWords(rng, 40, SIMPLE_SOUNDS, { avoid: (w) => w.includes(target) });
  const n = rng.int(300, 700);
  const rows: string[] = [];
  let whole = 0;
  let substring = 0;
  for (let i = 0; i < n; i++) {
    const toks = Array.from({ length: rng.int(4, 11) }, () => rng.pick(filler));
    const r = rng.next();
    // ~20% hold the word itself (a few also a longer word), ~12% only a longer word containing it.
    const kind = i === 3 || i === n - 2 ? 'decoy' : r < 0.2 ? 'word' : r < 0.32 ? 'decoy' : 'none';
    if (kind === 'word') toks.splice(rng.int(0, toks.length), 0, target + (rng.next() < 0.2 ? rng.pick([',', '.', ';']) : ''));
    if (kind === 'decoy' || r < 0.05) toks.splice(rng.int(0, toks.length), 0, rng.pick(decoys));
    const line = toks.join(' ');
    if (line.split(' ').some((t) => t.replace(/[,.;]$/, '') === target)) whole++;
    if (line.includes(target)) substring++;
    rows.push(line);
  }
  const prompt =
    `With a shell command, count the lines of \`${file}\` that contain the word \`${target}\` as a whole word (not inside a longer word). ` +
    `Write just the number to \`count.txt\`.`;
  return {
    primitiveId: ID,
    level: 'L1',
    seed,
    prompt,
    setupFiles: { [file]: rows.join('\n') + '\n' },
    requires: [],
    async check(ctx) {
      const got = await ctx.readFile('count.txt');
      const ran = successfulCommands(ctx.steps);
      const num = got === undefined ? undefined : numbersIn(got)[0];
      return [
        cp('file_exists', got !== undefined, 'count.txt was not created'),
        cp('count_correct', num === whole, `expected ${whole}, found ${num ?? 'no number'}`),
        cp('command_executed', ran.length > 0, 'no command was run successfully'),
      ];
    },
    reference: solution({ toolCalls: [call.exec(`grep -cw '${target}' ${file} > count.txt; cat count.txt`)] }, { text: `${whole} lines contain the word ${target}; the count is in count.txt.` }),
    nearMiss: solution({ toolCalls: [call.exec(`grep -c '${target}' ${file} > count.txt; cat count.txt`)] }, { text: `${substring} lines contain ${target}; saved to count.txt.` }),
  };
}

function level2(rng: ProbeRng, seed: number): ProbeInstance {
  const sensors = distinctWords(rng, rng.int(3, 6), SIMPLE_SOUNDS).map((w) => `${w}-${rng.int(1, 9)}`);
  const n = rng.int(40, 110);
  const data: Array<[string, number]> = [];
  for (const s of sensors) data.push([s, rng.int(-40, 160)]);
  while (data.length < n) data.push([rng.pick(sensors), rng.int(-40, 160)]);
  const rows = rng.shuffle(data);
  const csv = ['sensor,value', ...rows.map(([s, v]) => `${s},${v}`)].join('\n') + '\n';
  const stats = [...sensors].sort().map((s) => {
    const vs = rows.filter(([x]) => x === s).map(([, v]) => v);
    const mean = vs.reduce((a, b) => a + b, 0) / vs.length;
    return { s, count: vs.length, min: Math.min(...vs), max: Math.max(...vs), mean };
  });
  const expectedLines = stats.map((x) => `${x.s} ${x.count} ${x.min} ${x.max} ${fixed2(x.mean)}`);
  const matches = (lines: string[]): { ok: boolean; reason: string } => {
    if (lines.length !== stats.length) return { ok: false, reason: `expected ${stats.length} lines, got ${lines.length}` };
    for (let i = 0; i < stats.length; i++) {
      const x = stats[i]!;
      const parts = lines[i]!.split(' ');
      const nums = parts.slice(1).map(Number);
      const ok =
        parts.length === 5 &&
        parts[0] === x.s &&
        nums[0] === x.count &&
        nums[1] === x.min &&
        nums[2] === x.max &&
        Math.abs(nums[3]! - x.mean) <= 0.0051 &&
        /^-?\d+\.\d\d$/.test(parts[4]!);
      if (!ok) return { ok: false, reason: `line ${i + 1}: expected ${JSON.stringify(expectedLines[i])}, got ${JSON.stringify(lines[i])}` };
    }
    return { ok: true, reason: '' };
  };
  const script = [
    'import csv',
    'from collections import defaultdict',
    '',
    'values = defaultdict(list)',
    "with open('readings.csv', newline='') as f:",
    '    for row in csv.DictReader(f):',
    "        values[row['sensor']].append(int(row['value']))",
    '',
    'for name in sorted(values):',
    '    vs = values[name]',
    "    print(f'{name} {len(vs)} {min(vs)} {max(vs)} {sum(vs) / len(vs):.2f}')",
    '',
  ].join('\n');
  const prompt =
    `\`readings.csv\` has a header \`sensor,value\` and ${n} rows of integer readings.\n` +
    `1. Write a Python script \`summarize.py\` that reads it and prints one line per sensor, sorted by name: ` +
    `\`<sensor> <count> <min> <max> <mean>\`, single spaces, mean rounded to 2 decimals (e.g. \`12.50\`).\n` +
    `2. Run it and save exactly its output to \`summary.txt\`.`;
  return {
    primitiveId: ID,
    level: 'L2',
    seed,
    prompt,
    setupFiles: { 'readings.csv': csv },
    requires: ['python3'],
    async check(ctx): Promise<ProbeCheckpoint[]> {
      const src = await ctx.readFile('summarize.py');
      if (src === undefined) return [cp('script_exists', false, 'summarize.py was not created')];
      const run = await ctx.run('python3 summarize.py', { timeoutMs: 15_000 });
      const runOk = run.exitCode === 0;
      const fromRun = runOk ? matches(squashedLines(run.stdout)) : { ok: false, reason: `exit code ${run.exitCode}: ${run.stderr.slice(0, 200)}` };
      const saved = await ctx.readFile('summary.txt');
      const fromFile = saved === undefined ? { ok: false, reason: 'summary.txt was not created' } : matches(squashedLines(saved));
      return [
        cp('script_exists', true),
        cp('script_output_correct', fromRun.ok, fromRun.reason),
        cp('output_saved', fromFile.ok, fromFile.reason),
        cp('script_executed', scriptRan(ctx.steps, 'summarize.py'), 'summarize.py was never run successfully through the shell'),
      ];
    },
    reference: solution(
      { toolCalls: [call.read('readings.csv')] },
      { toolCalls: [call.write('summarize.py', script)] },
      { toolCalls: [call.exec('python3 summarize.py > summary.txt && cat summary.txt')] },
      { text: 'summarize.py prints the per-sensor summary; its output is saved in summary.txt.' },
    ),
    // Writes the script, then types the summary in by hand instead of running it.
    nearMiss: solution(
      { toolCalls: [call.read('readings.csv')] },
      { toolCalls: [call.write('summarize.py', script)] },
      { toolCalls: [call.write('summary.txt', expectedLines.join('\n') + '\n')] },
      { text: 'Wrote summarize.py and saved the summary to summary.txt.' },
    ),
  };
}

function level3(rng: ProbeRng, seed: number): ProbeInstance {
  const areas = rng.sample(['api', 'static', 'admin', 'auth', 'media', 'shop'], rng.int(2, 4));
  const paths = [...new Set(Array.from({ length: rng.int(8, 14) }, () => `/${rng.pick(areas)}/${simpleWord(rng)}`))];
  const hot = rng.sample(paths, Math.min(paths.length, rng.int(3, 5)));
  const n = rng.int(600, 1200);
  const okCodes = [200, 200, 200, 201, 204, 301, 304];
  const badCodes = [400, 401, 403, 404, 404, 409, 429, 500, 502, 503];
  let t = Date.UTC(2024, rng.int(0, 11), rng.int(1, 28), rng.int(0, 23), 0, 0);
  const iso = secondsIsoFormatter();
  const lines: string[] = [];
  const log = `${simpleWord(rng)}_access.log`;
  const threshold = rng.pick([400, 403, 404, 500]);
  // Lines whose status is exactly the threshold: `>` instead of `>=` drops them.
  const forced = new Set(Array.from({ length: 6 }, () => rng.int(0, n - 1)));
  for (let i = 0; i < n; i++) {
    t += rng.int(1, 20) * 1000;
    const ts = iso(t);
    const ip = `10.${rng.int(0, 9)}.${rng.int(0, 255)}.${rng.int(1, 254)}`;
    const method = rng.pick(['GET', 'GET', 'GET', 'POST', 'PUT', 'DELETE']);
    const path = rng.next() < 0.45 ? rng.pick(hot) : rng.pick(paths);
    const status = forced.has(i) ? threshold : rng.next() < 0.22 ? rng.pick(badCodes) : rng.pick(okCodes);
    lines.push(`${ts} ${ip} ${method} ${path} ${status} ${rng.int(0, 90000)}`);
  }
  const k = rng.int(3, 5);
  const field = (l: string, i: number) => l.split(' ')[i]!;
  const pipeline = (minStatus: number) => {
    const errors = lines.filter((l) => Number(field(l, 4)) >= minStatus);
    const counts = new Map<string, number>();
    for (const l of errors) counts.set(field(l, 3), (counts.get(field(l, 3)) ?? 0) + 1);
    const byPath = [...counts.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)).map(([p, c]) => `${c} ${p}`);
    const top = byPath.slice(0, k).map((l) => l.split(' ')[1]!);
    return { errors, byPath, top };
  };
  const want = pipeline(threshold);
  const prompt =
    `\`${log}\` is a web server log, one request per line: \`<timestamp> <client ip> <method> <path> <status> <bytes>\`.\n` +
    `Run shell commands for three steps, each reading the file the step before wrote; keep all three files:\n` +
    `1. \`errors.log\`: the lines with status ${threshold} or higher, unchanged, in order.\n` +
    `2. \`by_path.txt\`: from errors.log, \`<count> <path>\` per distinct path, highest count first, ties by path in byte order (\`LC_ALL=C sort\`).\n` +
    `3. \`top.txt\`: the paths of the first ${k} lines of by_path.txt, one per line.`;
  const ref = [
    `awk '$5 >= ${threshold}' ${log} > errors.log`,
    `awk '{print $4}' errors.log | LC_ALL=C sort | uniq -c | awk '{print $1" "$2}' | LC_ALL=C sort -k1,1nr -k2,2 > by_path.txt`,
    `head -n ${k} by_path.txt | awk '{print $2}' > top.txt`,
  ];
  const near = [`awk '$5 > ${threshold}' ${log} > errors.log`, ref[1]!, ref[2]!];
  const compare = async (read: (rel: string) => Promise<string | undefined>, rel: string, expected: string[]): Promise<ProbeCheckpoint> => {
    const got = await read(rel);
    if (got === undefined) return cp(`${rel}_correct`, false, `${rel} was not created`);
    const g = squashedLines(got);
    return cp(`${rel}_correct`, g.length === expected.length && g.every((l, i) => l === expected[i]), firstLineDiff(g, expected));
  };
  return {
    primitiveId: ID,
    level: 'L3',
    seed,
    prompt,
    setupFiles: { [log]: lines.join('\n') + '\n' },
    requires: [],
    async check(ctx) {
      const read = (rel: string) => ctx.readFile(rel);
      return [
        await compare(read, 'errors.log', want.errors.map((l) => l.replace(/\s+/g, ' '))),
        await compare(read, 'by_path.txt', want.byPath),
        await compare(read, 'top.txt', want.top),
        cp('commands_executed', successfulCommands(ctx.steps).length > 0, 'no command was run successfully'),
      ];
    },
    reference: solution(
      { toolCalls: [call.exec(`head -n 5 ${log}`)] },
      { toolCalls: [call.exec(ref[0]!)] },
      { toolCalls: [call.exec(ref[1]!)] },
      { toolCalls: [call.exec(ref[2]!)] },
      { toolCalls: [call.exec('wc -l errors.log by_path.txt; cat top.txt')] },
      { text: `Pipeline done: errors.log (${want.errors.length} lines), by_path.txt and top.txt.` },
    ),
    nearMiss: solution(
      { toolCalls: [call.exec(`head -n 5 ${log}`)] },
      { toolCalls: [call.exec(near.join(' && '))] },
      { toolCalls: [call.exec('cat top.txt')] },
      { text: 'Pipeline done: errors.log, by_path.txt and top.txt are written.' },
    ),
  };
}

export const generator = generatorByLevel(ID, {
  L1: 'Run one shell command: count the lines of a 300–700-line file containing a word as a whole word (decoy longer words planted); a command must actually run.',
  L2: 'Write summarize.py (per-sensor count/min/max/mean of a CSV), run it and save its output; the check re-runs it and requires that it was run.',
  L3: 'Three chained shell steps with intermediate files (filter error lines → per-path counts with tie order → top K); each file checked, commands must have run.',
}, { L1: level1, L2: level2, L3: level3 });
