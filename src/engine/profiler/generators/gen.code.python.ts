import { cp, generatorByLevel, lines, tryParseJson, type ProbeRng } from '../toolkit.js';
import type { ProbeInstance } from '../types.js';
import { distinctNames, RICH_SOUNDS } from '../gen/words.js';
import { checkProgram, programSolution } from '../gen/code-check.js';
import { roundTo } from '../gen/numbers.js';
import { csvText } from '../gen/csv.js';

/**
 * gen.code.python — the agent writes a Python script and runs it; the check compares what that
 * run wrote with the answer computed here, then replaces the input with fresh data of the same
 * shape and re-runs the script, so a script that recites a hard-coded answer fails. L1 plain file I/O, L2 the csv/json standard modules (quoted fields, header in a random
 * order), L3 numpy (statistics with missing values and a least-squares fit).
 */

const PRIMITIVE_ID = 'gen.code.python';

// ── content helpers ────────────────────────────────────────────────────────────────────────

/** n distinct lowercase identifiers (letters only). */
function distinctIdents(rng: ProbeRng, n: number): string[] {
  return distinctNames(rng, n, RICH_SOUNDS).map((w) => w.toLowerCase());
}

function near(a: unknown, b: number, tol: number): boolean {
  return typeof a === 'number' && Number.isFinite(a) && Math.abs(a - b) <= tol;
}

// ── L1: plain file I/O ─────────────────────────────────────────────────────────────────────

type L1Kind = 'count' | 'sum' | 'names';

function l1Entries(rng: ProbeRng, threshold: number): Array<[string, number]> {
  const n = rng.int(9, 24);
  const names = distinctNames(rng, n, RICH_SOUNDS);
  const values = names.map(() => rng.int(1, 99));
  // The boundary value is always present (twice on big files), plus values on both sides.
  const slots = rng.sample(
    names.map((_, i) => i),
    4,
  );
  values[slots[0]!] = threshold;
  values[slots[1]!] = threshold + rng.int(1, 20);
  values[slots[2]!] = threshold - rng.int(1, 20);
  if (n > 15) values[slots[3]!] = threshold;
  return names.map((nm, i) => [nm, values[i]!]);
}

function l1Answer(kind: L1Kind, entries: Array<[string, number]>, t: number, strictOffByOne = false): string[] {
  const ge = (v: number) => (strictOffByOne ? v > t : v >= t);
  const lt = (v: number) => (strictOffByOne ? v <= t : v < t);
  if (kind === 'count') return [String(entries.filter(([, v]) => ge(v)).length)];
  if (kind === 'sum') return [String(entries.filter(([, v]) => lt(v)).reduce((s, [, v]) => s + v, 0))];
  return entries.filter(([, v]) => ge(v)).map(([nm]) => nm);
}

function generateL1(rng: ProbeRng, seed: number): ProbeInstance {
  const kind = rng.pick<L1Kind>(['count', 'sum', 'names']);
  const t = rng.int(25, 74);
  const entries = l1Entries(rng, t);
  const fresh = l1Entries(rng, t);
  const file = (es: Array<[string, number]>) => es.map(([nm, v]) => `${nm}:${v}`).join('\n') + '\n';
  const expected = l1Answer(kind, entries, t);
  const expectedFresh = l1Answer(kind, fresh, t);

  const ask =
    kind === 'count'
      ? `the number of lines whose number is >= ${t}`
      : kind === 'sum'
        ? `the sum of the numbers < ${t}`
        : `the names whose number is >= ${t}, one per line, in input order`;
  const prompt = [
    `input.txt has lines name:number (e.g. ${entries[0]![0]}:${entries[0]![1]}).`,
    `Write a plain Python script solution.py (no imports) that reads input.txt and writes to result.txt ${ask}${kind === 'names' ? '' : ' (just the number)'}.`,
    'Run it; it must recompute from input.txt each run, leaving it unchanged.',
  ].join('\n');

  const cond = kind === 'sum' ? `value < ${t}` : `value >= ${t}`;
  const wrongCond = kind === 'sum' ? `value <= ${t}` : `value > ${t}`;
  const src = (c: string) => {
    const head = ['entries = []', "with open('input.txt') as f:", '    for line in f:', '        line = line.strip()', '        if not line:', '            continue', "        name, value = line.split(':', 1)", '        entries.append((name.strip(), int(value)))', ''];
    const body =
      kind === 'count'
        ? ['count = 0', 'for name, value in entries:', `    if ${c}:`, '        count += 1', "with open('result.txt', 'w') as out:", "    out.write(str(count) + '\\n')"]
        : kind === 'sum'
          ? ['total = 0', 'for name, value in entries:', `    if ${c}:`, '        total += value', "with open('result.txt', 'w') as out:", "    out.write(str(total) + '\\n')"]
          : ["with open('result.txt', 'w') as out:", '    for name, value in entries:', `        if ${c}:`, "            out.write(name + '\\n')"];
    return [...head, ...body, ''].join('\n');
  };

  const judge = async (read: (rel: string) => Promise<string | undefined>, isFresh: boolean) => {
    const want = isFresh ? expectedFresh : expected;
    const got = await read('result.txt');
    if (got === undefined) return 'result.txt is missing';
    const have = lines(got);
    if (have.length !== want.length || have.some((l, i) => l !== want[i])) return `result.txt has ${JSON.stringify(have.slice(0, 8))}, expected ${JSON.stringify(want.slice(0, 8))}`;
    return undefined;
  };

  return {
    primitiveId: PRIMITIVE_ID,
    level: 'L1',
    seed,
    prompt,
    setupFiles: { 'input.txt': file(entries) },
    requires: ['python3'],
    check: (ctx) => checkProgram(ctx, { script: 'solution.py', command: 'python3 solution.py', outputs: ['result.txt'], freshInputs: { 'input.txt': file(fresh) }, judge }),
    reference: programSolution('solution.py', src(cond), 'python3 solution.py', 'cat result.txt', 'solution.py is written and has been run; result.txt holds the answer.'),
    nearMiss: programSolution('solution.py', src(wrongCond), 'python3 solution.py', 'cat result.txt', 'solution.py is written and has been run; result.txt holds the answer.'),
  };
}

// ── L2: csv + json ─────────────────────────────────────────────────────────────────────────

interface L2Vocab {
  file: string;
  group: string;
  metric: string;
}

interface Person {
  name: string;
  group: string;
  metric: number;
  city: string;
}

function l2Rows(rng: ProbeRng): Person[] {
  const groups = distinctNames(rng, rng.int(3, 4), RICH_SOUNDS);
  const cities = distinctNames(rng, 4, RICH_SOUNDS);
  const n = rng.int(8, 16);
  const firsts = distinctNames(rng, n, RICH_SOUNDS);
  const lasts = distinctNames(rng, n, RICH_SOUNDS);
  const rows = firsts.map((f, i) => ({ name: `${lasts[i]}, ${f}`, group: groups[i % groups.length]!, metric: rng.int(40, 95), city: rng.pick(cities) }));
  // One clear top scorer.
  rows[rng.int(0, n - 1)]!.metric = rng.int(97, 100);
  return rng.shuffle(rows);
}

/** Averages are kept exact; the check accepts any correct 2-decimal rounding of them. */
interface L2Answer {
  total: number;
  average: number;
  groups: Record<string, { count: number; average: number }>;
  top: string;
}

function l2Answer(rows: Person[]): L2Answer {
  const groups: Record<string, { count: number; average: number }> = {};
  const by = new Map<string, number[]>();
  for (const r of rows) by.set(r.group, [...(by.get(r.group) ?? []), r.metric]);
  for (const [g, s] of by) groups[g] = { count: s.length, average: s.reduce((a, b) => a + b, 0) / s.length };
  const top = rows.reduce((a, b) => (b.metric > a.metric ? b : a));
  return { total: rows.length, average: rows.reduce((a, r) => a + r.metric, 0) / rows.length, groups, top: top.name };
}

function l2Csv(rows: Person[], columns: Array<keyof Person>, vocab: L2Vocab): string {
  const header = columns.map((c) => (c === 'group' ? vocab.group : c === 'metric' ? vocab.metric : c));
  return csvText([header, ...rows.map((r) => columns.map((c) => r[c]))]);
}

const AVG_TOL = 0.005 + 1e-9;

function judgeL2(got: string | undefined, want: L2Answer, v: L2Vocab): string | undefined {
  if (got === undefined) return 'result.json is missing';
  const j = tryParseJson(got) as Record<string, unknown> | undefined;
  if (!j || typeof j !== 'object' || Array.isArray(j)) return 'result.json is not a JSON object';
  const avgKey = `average_${v.metric}`;
  const groupsKey = `${v.group}s`;
  if (j.total_people !== want.total) return `total_people is ${JSON.stringify(j.total_people)}, expected ${want.total}`;
  if (!near(j[avgKey], want.average, AVG_TOL)) return `${avgKey} is ${JSON.stringify(j[avgKey])}, expected ${roundTo(want.average, 2)}`;
  if (j[`top_${v.metric}`] !== want.top) return `top_${v.metric} is ${JSON.stringify(j[`top_${v.metric}`])}, expected ${JSON.stringify(want.top)}`;
  const d = j[groupsKey];
  if (!d || typeof d !== 'object' || Array.isArray(d)) return `${groupsKey} is missing or not an object`;
  const keys = Object.keys(d).sort();
  const wantKeys = Object.keys(want.groups).sort();
  if (keys.join('|') !== wantKeys.join('|')) return `${groupsKey} has keys ${JSON.stringify(keys)}, expected ${JSON.stringify(wantKeys)}`;
  for (const k of wantKeys) {
    const g = (d as Record<string, Record<string, unknown> | undefined>)[k];
    const w = want.groups[k]!;
    if (!g || g.count !== w.count || !near(g[avgKey], w.average, AVG_TOL)) return `${groupsKey}.${k} is ${JSON.stringify(g)}, expected count ${w.count} and ${avgKey} ${roundTo(w.average, 2)}`;
  }
  return undefined;
}

function generateL2(rng: ProbeRng, seed: number): ProbeInstance {
  const vocab: L2Vocab = {
    file: `${rng.pick(['staff', 'members', 'roster', 'people', 'entrants', 'players'])}_${rng.int(2, 99)}.csv`,
    group: rng.pick(['department', 'team', 'unit', 'division', 'squad', 'section']),
    metric: rng.pick(['score', 'rating', 'points', 'grade', 'mark']),
  };
  const columns = rng.shuffle<keyof Person>(['name', 'group', 'metric', 'city']);
  const rows = l2Rows(rng);
  const fresh = l2Rows(rng);
  const want = l2Answer(rows);
  const wantFresh = l2Answer(fresh);
  const { file, group, metric } = vocab;
  const avgKey = `average_${metric}`;

  const prompt = [
    `${file}: CSV with a header row; columns (in the header's order) name, ${group}, ${metric}, city; names ("Last, First") are quoted.`,
    `Write solution.py using Python's csv and json modules to write result.json exactly as:`,
    `{"total_people": <rows>, "${avgKey}": <mean>, "${group}s": {"<${group}>": {"count": <rows>, "${avgKey}": <mean>}, ...}, "top_${metric}": "<name with the highest ${metric}, as in the file>"}`,
    'Averages rounded to 2 decimals. Run it; it must recompute from the CSV each run, leaving it unchanged.',
  ].join('\n');

  const src = (skipFirst: boolean) =>
    [
      'import csv',
      'import json',
      '',
      `with open('${file}', newline='') as f:`,
      '    reader = csv.DictReader(f)',
      ...(skipFirst ? ['    next(reader)  # skip the header line'] : []),
      '    rows = list(reader)',
      '',
      `values = [int(r['${metric}']) for r in rows]`,
      'groups = {}',
      'for r in rows:',
      `    groups.setdefault(r['${group}'], []).append(int(r['${metric}']))`,
      `top = max(rows, key=lambda r: int(r['${metric}']))`,
      'result = {',
      "    'total_people': len(rows),",
      `    '${avgKey}': round(sum(values) / len(values), 2),`,
      `    '${group}s': {g: {'count': len(v), '${avgKey}': round(sum(v) / len(v), 2)} for g, v in groups.items()},`,
      `    'top_${metric}': top['name'],`,
      '}',
      "with open('result.json', 'w') as out:",
      '    json.dump(result, out, indent=2)',
      '',
    ].join('\n');

  return {
    primitiveId: PRIMITIVE_ID,
    level: 'L2',
    seed,
    prompt,
    setupFiles: { [file]: l2Csv(rows, columns, vocab) },
    requires: ['python3'],
    check: (ctx) =>
      checkProgram(ctx, {
        script: 'solution.py',
        command: 'python3 solution.py',
        outputs: ['result.json'],
        freshInputs: { [file]: l2Csv(fresh, columns, vocab) },
        judge: async (read, isFresh) => judgeL2(await read('result.json'), isFresh ? wantFresh : want, vocab),
      }),
    reference: programSolution('solution.py', src(false), 'python3 solution.py', 'cat result.json', `Done: solution.py reads ${file} with csv.DictReader and wrote result.json.`),
    nearMiss: programSolution('solution.py', src(true), 'python3 solution.py', 'cat result.json', `Done: solution.py reads ${file} with csv.DictReader and wrote result.json.`),
  };
}

// ── L3: numpy ──────────────────────────────────────────────────────────────────────────────

interface Measurements {
  columns: string[];
  /** rows × columns; null = missing cell. */
  values: Array<Array<number | null>>;
}

function l3Data(rng: ProbeRng, columns: string[], xCol: number, yCol: number): Measurements {
  const n = rng.int(30, 80);
  const base = columns.map(() => rng.int(10, 400));
  const spread = columns.map(() => rng.int(5, 40));
  const slope = rng.float(0.4, 2.5, 2) * (rng.next() < 0.3 ? -1 : 1);
  const values: Array<Array<number | null>> = [];
  for (let i = 0; i < n; i++) {
    const row = columns.map((_, c) => Number((base[c]! + (rng.next() * 2 - 1) * spread[c]!).toFixed(2)));
    row[yCol] = Number((base[yCol]! + slope * (row[xCol]! - base[xCol]!) + (rng.next() * 2 - 1) * spread[yCol]! * 0.3).toFixed(2));
    values.push(row.map((v) => (rng.next() < 0.06 ? null : v)));
  }
  return { columns, values };
}

function l3Csv(m: Measurements): string {
  return csvText([['sample', ...m.columns], ...m.values.map((r, i) => [String(i + 1), ...r.map((v) => (v === null ? '' : v.toFixed(2)))])]);
}

interface ColumnStats {
  count: number;
  mean: number;
  std: number;
  min: number;
  max: number;
}

function l3Answer(m: Measurements, xCol: number, yCol: number, ddof = 0): { columns: Record<string, ColumnStats>; fit: { slope: number; intercept: number } } {
  const columns: Record<string, ColumnStats> = {};
  m.columns.forEach((name, c) => {
    const v = m.values.map((r) => r[c]).filter((x): x is number => x !== null);
    const mean = v.reduce((a, b) => a + b, 0) / v.length;
    const variance = v.reduce((a, b) => a + (b - mean) ** 2, 0) / (v.length - ddof);
    columns[name] = { count: v.length, mean, std: Math.sqrt(variance), min: Math.min(...v), max: Math.max(...v) };
  });
  const pairs = m.values.filter((r) => r[xCol] !== null && r[yCol] !== null).map((r) => [r[xCol]!, r[yCol]!] as const);
  const mx = pairs.reduce((a, [x]) => a + x, 0) / pairs.length;
  const my = pairs.reduce((a, [, y]) => a + y, 0) / pairs.length;
  const sxy = pairs.reduce((a, [x, y]) => a + (x - mx) * (y - my), 0);
  const sxx = pairs.reduce((a, [x]) => a + (x - mx) ** 2, 0);
  const slope = sxy / sxx;
  return { columns, fit: { slope, intercept: my - slope * mx } };
}

function judgeL3(got: string | undefined, want: ReturnType<typeof l3Answer>): string | undefined {
  if (got === undefined) return 'result.json is missing';
  const j = tryParseJson(got) as { columns?: Record<string, Record<string, unknown>>; fit?: Record<string, unknown> } | undefined;
  if (!j || typeof j !== 'object') return 'result.json is not valid JSON';
  const tol = (v: number) => 0.0015 + Math.abs(v) * 1e-6;
  for (const [name, s] of Object.entries(want.columns)) {
    const g = j.columns?.[name];
    if (!g) return `columns.${name} is missing`;
    if (g.count !== s.count) return `columns.${name}.count is ${JSON.stringify(g.count)}, expected ${s.count}`;
    for (const k of ['mean', 'std', 'min', 'max'] as const) {
      if (!near(g[k], s[k], tol(s[k]))) return `columns.${name}.${k} is ${JSON.stringify(g[k])}, expected ${roundTo(s[k], 3)}`;
    }
  }
  for (const k of ['slope', 'intercept'] as const) {
    if (!near(j.fit?.[k], want.fit[k], tol(want.fit[k]))) return `fit.${k} is ${JSON.stringify(j.fit?.[k])}, expected ${roundTo(want.fit[k], 3)}`;
  }
  return undefined;
}

function generateL3(rng: ProbeRng, seed: number): ProbeInstance {
  const columns = distinctIdents(rng, rng.int(3, 5));
  const [xCol, yCol] = rng.sample(
    columns.map((_, i) => i),
    2,
  ) as [number, number];
  const data = l3Data(rng, columns, xCol, yCol);
  const fresh = l3Data(rng, columns, xCol, yCol);
  const want = l3Answer(data, xCol, yCol);
  const wantFresh = l3Answer(fresh, xCol, yCol);
  const X = columns[xCol]!;
  const Y = columns[yCol]!;

  const prompt = [
    'measurements.csv: header row; first column sample (row number), the others readings; a missing reading is an empty cell.',
    `Write solution.py using numpy: per reading column, over its present cells, count, mean, population std, min and max; plus a least-squares fit ${Y} = slope * ${X} + intercept over rows where both are present. Write result.json, floats rounded to 3 decimals:`,
    `{"columns": {"<column>": {"count": <int>, "mean": <float>, "std": <float>, "min": <float>, "max": <float>}, ...}, "fit": {"slope": <float>, "intercept": <float>}}`,
    'Run it; it must recompute from the CSV each run, leaving it unchanged.',
  ].join('\n');

  const src = (ddof: number) =>
    [
      'import json',
      'import numpy as np',
      '',
      "with open('measurements.csv') as f:",
      "    header = f.readline().strip().split(',')",
      "data = np.genfromtxt('measurements.csv', delimiter=',', skip_header=1)",
      'if data.ndim == 1:',
      '    data = data.reshape(1, -1)',
      '',
      'columns = {}',
      'for i, name in enumerate(header):',
      "    if name == 'sample':",
      '        continue',
      '    v = data[:, i]',
      '    v = v[~np.isnan(v)]',
      '    columns[name] = {',
      "        'count': int(v.size),",
      "        'mean': round(float(v.mean()), 3),",
      `        'std': round(float(v.std(${ddof ? `ddof=${ddof}` : ''})), 3),`,
      "        'min': round(float(v.min()), 3),",
      "        'max': round(float(v.max()), 3),",
      '    }',
      '',
      `x = data[:, header.index('${X}')]`,
      `y = data[:, header.index('${Y}')]`,
      'both = ~np.isnan(x) & ~np.isnan(y)',
      'slope, intercept = np.polyfit(x[both], y[both], 1)',
      "result = {'columns': columns, 'fit': {'slope': round(float(slope), 3), 'intercept': round(float(intercept), 3)}}",
      "with open('result.json', 'w') as out:",
      '    json.dump(result, out, indent=2)',
      '',
    ].join('\n');

  return {
    primitiveId: PRIMITIVE_ID,
    level: 'L3',
    seed,
    prompt,
    setupFiles: { 'measurements.csv': l3Csv(data) },
    requires: ['python3', 'python3:numpy'],
    check: (ctx) =>
      checkProgram(ctx, {
        script: 'solution.py',
        command: 'python3 solution.py',
        outputs: ['result.json'],
        freshInputs: { 'measurements.csv': l3Csv(fresh) },
        judge: async (read, isFresh) => judgeL3(await read('result.json'), isFresh ? wantFresh : want),
        scriptChecks: (script) => [cp('uses_numpy', /^\s*(import numpy|from numpy\b)/m.test(script), 'the script does not import numpy')],
      }),
    reference: programSolution('solution.py', src(0), 'python3 solution.py', 'cat result.json', 'solution.py computes the column statistics and the fit with numpy; result.json is written.'),
    nearMiss: programSolution('solution.py', src(1), 'python3 solution.py', 'cat result.json', 'solution.py computes the column statistics and the fit with numpy; result.json is written.'),
  };
}

export const generator = generatorByLevel(PRIMITIVE_ID, {
  L1: 'Write and run a plain Python script that reads name:number lines and writes a thresholded count, sum or list of names.',
  L2: 'Write and run a Python script that uses csv and json to summarise a CSV with quoted fields into a nested JSON report.',
  L3: 'Write and run a numpy script computing per-column statistics over data with missing cells, plus a least-squares line fit.',
}, { L1: generateL1, L2: generateL2, L3: generateL3 });
