import { call, cp, generatorByLevel, parseJsonLoose, solution, type ProbeRng } from '../toolkit.js';
import type { ProbeCheckContext, ProbeCheckpoint, ProbeInstance } from '../types.js';
import { scriptRan } from '../gen/code-check.js';

/**
 * follow.delegation — handing computation to code instead of doing it in the head. Every level
 * names a Python script to write; the check requires (1) that the recorded steps show an
 * execute_command running exactly that script with exit code 0, (2) that the result file holds
 * the right value, and (3) that the script, re-run now, still prints that value.
 *  L1  big-integer arithmetic (products, sums of squares, powers, sums of multiples).
 *  L2  figures over a 40–90-row CSV of orders (revenue to the cent, the largest order, a count
 *      above a threshold) → result.json.
 *  L3  exact arithmetic where floats and mental maths fail: a generated sum of signed fractions
 *      (answer p/q in lowest terms) or a generated sum of decimal products whose float result
 *      carries rounding noise (answer the exact decimal).
 * Near-misses write a correct-looking script and a result but never run it, run something else,
 * or run a float-based script that misses the exact value.
 */

const ID = 'follow.delegation';
const RUN_TIMEOUT_MS = 15_000;

async function rerun(ctx: ProbeCheckContext, script: string): Promise<{ ok: boolean; stdout: string; reason: string }> {
  const r = await ctx.run(`python3 ${script}`, { timeoutMs: RUN_TIMEOUT_MS });
  if (r.exitCode !== 0) return { ok: false, stdout: r.stdout, reason: `python3 ${script} exited ${r.exitCode ?? r.signal}: ${r.stderr.slice(-200)}` };
  return { ok: true, stdout: r.stdout, reason: '' };
}

function digitsOf(text: string): string {
  return text.replace(/[\s,_]/g, '');
}

function commonCheckpoints(ctx: ProbeCheckContext, script: string, src: string | undefined): ProbeCheckpoint[] {
  return [
    cp('script_exists', src !== undefined && src.trim().length >= 10, `${script} was not written`),
    cp('script_executed', scriptRan(ctx.steps, script), `no shell command ran python3 ${script} successfully`),
  ];
}

// ── L1: big-integer arithmetic ─────────────────────────────────────────────────────────────

function level1(rng: ProbeRng, seed: number): ProbeInstance {
  const script = rng.pick(['compute.py', 'calc.py', 'solve.py']);
  const out = rng.pick(['result.txt', 'answer.txt']);
  const kind = rng.int(0, 3);
  let desc: string;
  let expr: string;
  let value: bigint;
  if (kind === 0) {
    const xs = Array.from({ length: rng.int(3, 4) }, () => rng.int(1000, 999_999));
    desc = `the product ${xs.join(' × ')}`;
    expr = `print(${xs.join(' * ')})`;
    value = xs.reduce((a, b) => a * BigInt(b), 1n);
  } else if (kind === 1) {
    const a = rng.int(10, 99);
    const b = a + rng.int(60, 400);
    desc = `the sum of the squares of every integer from ${a} to ${b} inclusive`;
    expr = `print(sum(i * i for i in range(${a}, ${b + 1})))`;
    value = 0n;
    for (let i = a; i <= b; i++) value += BigInt(i) * BigInt(i);
  } else if (kind === 2) {
    const a = rng.int(3, 19);
    const b = rng.int(14, 30);
    desc = `${a} raised to the power ${b}`;
    expr = `print(${a} ** ${b})`;
    value = BigInt(a) ** BigInt(b);
  } else {
    const k = rng.int(7, 37);
    const a = rng.int(100, 999);
    const b = a + rng.int(2000, 9000);
    desc = `the sum of all multiples of ${k} between ${a} and ${b} inclusive`;
    expr = `print(sum(i for i in range(${a}, ${b + 1}) if i % ${k} == 0))`;
    value = 0n;
    for (let i = a; i <= b; i++) if (i % k === 0) value += BigInt(i);
  }
  const want = value.toString();
  const code = `# ${desc}\n${expr}\n`;
  const prompt =
    `Write a Python script \`${script}\` that computes ${desc} and prints only the result. ` +
    `Run it with python3 and write the printed number to \`${out}\`.`;
  const nearKind = rng.int(0, 1);
  return {
    primitiveId: ID,
    level: 'L1',
    seed,
    prompt,
    setupFiles: {},
    requires: ['python3'],
    async check(ctx) {
      const src = await ctx.readFile(script);
      const res = await ctx.readFile(out);
      const again = src === undefined ? { ok: false, stdout: '', reason: `${script} is missing` } : await rerun(ctx, script);
      const printed = (again.stdout.match(/-?\d[\d,_]*/g) ?? []).pop();
      return [
        ...commonCheckpoints(ctx, script, src),
        cp('result_correct', res !== undefined && digitsOf(res) === want, res === undefined ? `${out} was not written` : `${out} holds ${JSON.stringify(res.trim().slice(0, 60))}, expected ${want}`),
        cp('script_reproduces', again.ok && printed !== undefined && digitsOf(printed) === want, again.ok ? `re-running ${script} printed ${JSON.stringify(again.stdout.trim().slice(0, 60))}` : again.reason),
      ];
    },
    reference: solution(
      { toolCalls: [call.write(script, code)] },
      { toolCalls: [call.exec(`python3 ${script}`)] },
      { toolCalls: [call.exec(`python3 ${script} > ${out} && cat ${out}`)] },
      { text: `${script} prints ${want}; the value is saved in ${out}.` },
    ),
    // Writes the script, then skips running it (the number is typed in) or checks it with a one-off command instead.
    nearMiss:
      nearKind === 0
        ? solution({ toolCalls: [call.write(script, code)] }, { toolCalls: [call.write(out, `${want}\n`)] }, { text: `${script} computes ${desc}; the result ${want} is in ${out}.` })
        : solution(
            { toolCalls: [call.write(script, code)] },
            { toolCalls: [call.exec(`python3 -c "${expr.replace(/"/g, '\\"')}" > ${out} && cat ${out}`)] },
            { text: `Wrote ${script}; the result is in ${out}.` },
          ),
  };
}

// ── L2: figures over a CSV ─────────────────────────────────────────────────────────────────

function centsStr(c: number): string {
  const neg = c < 0;
  const a = Math.abs(c);
  return `${neg ? '-' : ''}${Math.floor(a / 100)}.${String(a % 100).padStart(2, '0')}`;
}

function level2(rng: ProbeRng, seed: number): ProbeInstance {
  const script = rng.pick(['stats.py', 'analyze.py', 'report.py']);
  const n = rng.int(40, 90);
  let rows: Array<{ id: string; qty: number; cents: number }> = [];
  for (let tries = 0; tries < 50; tries++) {
    const ids = new Set<string>();
    while (ids.size < n) ids.add(`${rng.pick(['A', 'B', 'K', 'R', 'T'])}${rng.int(1000, 9999)}`);
    rows = [...ids].map((id) => ({ id, qty: rng.int(1, 40), cents: rng.int(99, 25_000) }));
    const totals = rows.map((r) => r.qty * r.cents).sort((a, b) => b - a);
    if (totals[0] !== totals[1]) break;
  }
  const lineTotals = rows.map((r) => r.qty * r.cents);
  const total = lineTotals.reduce((a, b) => a + b, 0);
  const maxIdx = lineTotals.indexOf(Math.max(...lineTotals));
  const sortedTotals = [...lineTotals].sort((a, b) => a - b);
  // A threshold between two distinct line totals, shown in whole units.
  let threshold = Math.round(sortedTotals[Math.floor(n * rng.next() * 0.6 + n * 0.2)]! / 100);
  while (lineTotals.some((t) => t === threshold * 100)) threshold++;
  const over = lineTotals.filter((t) => t > threshold * 100).length;
  const want = { total_revenue: centsStr(total), largest_order: rows[maxIdx]!.id, orders_over: over };
  const csv = ['order_id,quantity,unit_price', ...rows.map((r) => `${r.id},${r.qty},${centsStr(r.cents)}`)].join('\n') + '\n';
  const code = [
    'import csv',
    'import json',
    'from decimal import Decimal',
    '',
    "with open('orders.csv', newline='') as f:",
    '    rows = list(csv.DictReader(f))',
    '',
    "totals = [(r['order_id'], int(r['quantity']) * Decimal(r['unit_price'])) for r in rows]",
    'revenue = sum(t for _, t in totals)',
    'largest = max(totals, key=lambda x: x[1])[0]',
    `over = sum(1 for _, t in totals if t > ${threshold})`,
    "print(json.dumps({'total_revenue': float(revenue), 'largest_order': largest, 'orders_over': over}))",
    '',
  ].join('\n');
  const buggy = code.replace('rows = list(csv.DictReader(f))', 'rows = list(csv.DictReader(f))[1:]');
  const prompt =
    `\`orders.csv\` lists ${n} orders (order_id, quantity, unit_price); an order's total is quantity × unit_price. ` +
    `Don't compute by hand: write a Python script \`${script}\` that reads it and prints one JSON object ` +
    `\`{"total_revenue": <sum of all totals, to the cent>, "largest_order": "<order_id with the largest total>", "orders_over": <count of totals above ${threshold}>}\`; ` +
    `run it and save its output to \`result.json\`.`;
  const judge = (v: unknown): { ok: boolean; reason: string } => {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) return { ok: false, reason: 'not a JSON object' };
    const o = v as Record<string, unknown>;
    const rev = typeof o.total_revenue === 'number' ? o.total_revenue : typeof o.total_revenue === 'string' ? Number(o.total_revenue) : NaN;
    const errs: string[] = [];
    if (!(Math.abs(rev * 100 - total) <= 0.5)) errs.push(`total_revenue ${JSON.stringify(o.total_revenue)} (expected ${want.total_revenue})`);
    if (String(o.largest_order ?? '').trim() !== want.largest_order) errs.push(`largest_order ${JSON.stringify(o.largest_order)} (expected ${want.largest_order})`);
    if (Number(o.orders_over) !== over) errs.push(`orders_over ${JSON.stringify(o.orders_over)} (expected ${over})`);
    return { ok: errs.length === 0, reason: errs.join('; ') };
  };
  const nearKind = rng.int(0, 1);
  // By-hand figures: the revenue misses the last order.
  const handWritten = { ...want, total_revenue: centsStr(total - lineTotals[n - 1]!) };
  return {
    primitiveId: ID,
    level: 'L2',
    seed,
    prompt,
    setupFiles: { 'orders.csv': csv },
    requires: ['python3'],
    async check(ctx) {
      const src = await ctx.readFile(script);
      const res = await ctx.readFile('result.json');
      const saved = res === undefined ? { ok: false, reason: 'result.json was not written' } : judge(parseJsonLoose(res));
      const again = src === undefined ? { ok: false, stdout: '', reason: `${script} is missing` } : await rerun(ctx, script);
      const printed = again.ok ? judge(parseJsonLoose(again.stdout)) : { ok: false, reason: again.reason };
      return [
        ...commonCheckpoints(ctx, script, src),
        cp('result_correct', saved.ok, saved.reason),
        cp('script_reproduces', printed.ok, printed.reason || 're-run output differs'),
      ];
    },
    reference: solution(
      { toolCalls: [call.exec('head -n 5 orders.csv; wc -l orders.csv')] },
      { toolCalls: [call.write(script, code)] },
      { toolCalls: [call.exec(`python3 ${script} > result.json && cat result.json`)] },
      { text: `Ran ${script}: revenue ${want.total_revenue}, largest order ${want.largest_order}, ${over} orders above ${threshold}. Saved to result.json.` },
    ),
    nearMiss:
      nearKind === 0
        ? // Runs a script that drops the first data row.
          solution(
            { toolCalls: [call.exec('head -n 5 orders.csv')] },
            { toolCalls: [call.write(script, buggy)] },
            { toolCalls: [call.exec(`python3 ${script} > result.json && cat result.json`)] },
            { text: 'Figures computed and saved to result.json.' },
          )
        : // Writes the script but never runs it; the figures are typed in.
          solution(
            { toolCalls: [call.read('orders.csv')] },
            { toolCalls: [call.write(script, code), call.write('result.json', JSON.stringify({ ...handWritten, total_revenue: Number(handWritten.total_revenue) }))] },
            { text: `Revenue ${handWritten.total_revenue}; saved to result.json.` },
          ),
  };
}

// ── L3: exact arithmetic ───────────────────────────────────────────────────────────────────

function gcd(a: bigint, b: bigint): bigint {
  a = a < 0n ? -a : a;
  b = b < 0n ? -b : b;
  while (b) [a, b] = [b, a % b];
  return a;
}

/** A decimal string with up to `scale` fractional digits from a scaled integer, trailing zeros trimmed. */
function decStr(v: bigint, scale: number): string {
  const neg = v < 0n;
  const s = (neg ? -v : v).toString().padStart(scale + 1, '0');
  const int = s.slice(0, s.length - scale);
  const frac = s.slice(s.length - scale).replace(/0+$/, '');
  return `${neg ? '-' : ''}${int}${frac ? `.${frac}` : ''}`;
}

/** A plain decimal (no exponent) as numerator / 10^k. */
function parseDecimal(text: string): { num: bigint; scale: number } | undefined {
  const m = /^(-?)(\d+)(?:\.(\d+))?$/.exec(text.trim());
  if (!m) return undefined;
  const frac = m[3] ?? '';
  const num = BigInt(`${m[2]}${frac}`) * (m[1] ? -1n : 1n);
  return { num, scale: frac.length };
}

function level3(rng: ProbeRng, seed: number): ProbeInstance {
  const script = rng.pick(['exact.py', 'precise.py', 'calc_exact.py']);
  const out = 'result.txt';
  const kind = rng.next() < 0.5 ? 'fraction' : 'decimal';
  let want: string;
  let goodCode: string;
  let floatCode: string;
  let handValue: string;
  let matches: (text: string) => boolean;
  let expression: string;
  if (kind === 'fraction') {
    let p = 0n;
    let q = 1n;
    let terms: Array<[number, number]> = [];
    for (let tries = 0; tries < 100; tries++) {
      terms = Array.from({ length: rng.int(6, 9) }, () => {
        const d = rng.int(7, 97);
        let nn = rng.int(1, d - 1) * (rng.next() < 0.3 ? -1 : 1);
        if (nn === 0) nn = 1;
        return [nn, d] as [number, number];
      });
      p = 0n;
      q = 1n;
      for (const [a, b] of terms) {
        p = p * BigInt(b) + BigInt(a) * q;
        q = q * BigInt(b);
        const g = gcd(p, q);
        p /= g;
        q /= g;
      }
      if (q > 1000n && p !== 0n) break;
    }
    expression = terms.map(([a, b], i) => `${i === 0 ? (a < 0 ? '-' : '') : a < 0 ? ' - ' : ' + '}${Math.abs(a)}/${b}`).join('');
    want = `${p}/${q}`;
    const fracTerms = terms.map(([a, b]) => `Fraction(${a}, ${b})`).join(',\n    ');
    goodCode = `from fractions import Fraction\n\nterms = [\n    ${fracTerms},\n]\ntotal = sum(terms, Fraction(0))\nprint(f"{total.numerator}/{total.denominator}")\n`;
    floatCode = `terms = [${terms.map(([a, b]) => `${a} / ${b}`).join(', ')}]\nprint(sum(terms))\n`;
    handValue = `${p + 1n}/${q}`;
    matches = (text) => {
      const m = /^(-?\d+)\s*\/\s*(\d+)$/.exec(digitsOf(text).replace(/^\((.*)\)$/, '$1'));
      return m !== null && BigInt(m[1]!) === p && BigInt(m[2]!) === q;
    };
  } else {
    let terms: Array<[string, string]> = [];
    let exact = 0n;
    let floatStr = '';
    for (let tries = 0; tries < 200; tries++) {
      terms = Array.from({ length: rng.int(5, 8) }, () => {
        const a = `${rng.next() < 0.25 ? '-' : ''}${rng.int(0, 999)}.${String(rng.int(1, 999)).padStart(3, '0')}`;
        const b = `${rng.int(0, 99)}.${String(rng.int(1, 99)).padStart(2, '0')}`;
        return [a, b];
      });
      exact = terms.reduce((acc, [a, b]) => acc + parseDecimal(a)!.num * parseDecimal(b)!.num, 0n);
      const f = terms.reduce((acc, [a, b]) => acc + Number(a) * Number(b), 0);
      floatStr = String(f);
      const fp = parseDecimal(floatStr);
      // Keep expressions where the float result is visibly off (rounding noise in the digits).
      const same = fp !== undefined && fp.num * 10n ** BigInt(5) === exact * 10n ** BigInt(fp.scale);
      if (!same && fp !== undefined && exact !== 0n) break;
    }
    expression = terms.map(([a, b], i) => `${i === 0 ? '' : ' + '}(${a} × ${b})`).join('');
    want = decStr(exact, 5);
    goodCode = `from decimal import Decimal, getcontext\n\ngetcontext().prec = 50\nterms = [\n${terms.map(([a, b]) => `    (Decimal("${a}"), Decimal("${b}")),`).join('\n')}\n]\ntotal = sum((a * b for a, b in terms), Decimal(0))\nprint(format(total.normalize(), "f"))\n`;
    floatCode = `terms = [\n${terms.map(([a, b]) => `    (${a}, ${b}),`).join('\n')}\n]\ntotal = 0.0\nfor a, b in terms:\n    total += a * b\nprint(total)\n`;
    // By hand: the last digit drops off (rounded to four places).
    handValue = decStr(((exact + (exact >= 0n ? 5n : -5n)) / 10n) * 10n, 5);
    if (handValue === want) handValue = decStr(exact + 1n, 5);
    matches = (text) => {
      const d = parseDecimal(digitsOf(text));
      return d !== undefined && d.num * 10n ** 5n === exact * 10n ** BigInt(d.scale);
    };
  }
  const prompt =
    `Compute ${expression} exactly, ` +
    (kind === 'fraction' ? `as a fraction p/q in lowest terms (e.g. \`-7/12\`).` : `as a plain decimal with every digit, no rounding.`) +
    ` Use a Python script \`${script}\` that prints only the value; run it and save its output to \`${out}\`.`;
  const nearKind = rng.int(0, 1);
  return {
    primitiveId: ID,
    level: 'L3',
    seed,
    prompt,
    setupFiles: {},
    requires: ['python3'],
    async check(ctx) {
      const src = await ctx.readFile(script);
      const res = await ctx.readFile(out);
      const again = src === undefined ? { ok: false, stdout: '', reason: `${script} is missing` } : await rerun(ctx, script);
      const lastLine = again.stdout.trim().split(/\r?\n/).pop() ?? '';
      return [
        ...commonCheckpoints(ctx, script, src),
        cp('result_correct', res !== undefined && matches(res), res === undefined ? `${out} was not written` : `${out} holds ${JSON.stringify(res.trim().slice(0, 80))}, expected ${want}`),
        cp('script_reproduces', again.ok && matches(lastLine), again.ok ? `re-running ${script} printed ${JSON.stringify(lastLine.slice(0, 80))}` : again.reason),
      ];
    },
    reference: solution(
      { toolCalls: [call.write(script, goodCode)] },
      { toolCalls: [call.exec(`python3 ${script} > ${out} && cat ${out}`)] },
      { text: `The exact value is ${want} (computed by ${script}, saved in ${out}).` },
    ),
    nearMiss:
      nearKind === 0
        ? // Runs a float-based script: its output carries binary rounding.
          solution({ toolCalls: [call.write(script, floatCode)] }, { toolCalls: [call.exec(`python3 ${script} > ${out} && cat ${out}`)] }, { text: `Saved the value in ${out}.` })
        : // Writes the exact script but never runs it; the value is worked out by hand and slightly off.
          solution({ toolCalls: [call.write(script, goodCode)] }, { toolCalls: [call.write(out, `${handValue}\n`)] }, { text: `The value is ${handValue}.` }),
  };
}

export const generator = generatorByLevel(ID, {
  L1: 'Write a named Python script for a big-integer calculation, run it and save its output; the steps must show the script run (exit 0), the result must be right and a re-run must reproduce it.',
  L2: 'Compute revenue, largest order and a threshold count over a 40–90-row orders CSV with a named script instead of by hand; execution, result.json and re-run output are all checked.',
  L3: 'Exact arithmetic where floats and mental maths fail (generated signed-fraction sums as p/q, or decimal product sums with float noise) via a named script that must have run and reproduce the exact value.',
}, { L1: level1, L2: level2, L3: level3 });
