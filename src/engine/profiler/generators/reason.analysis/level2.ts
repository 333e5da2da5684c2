import { call, cp, lines, solution, type ProbeRng } from '../../toolkit.js';
import type { ProbeInstance } from '../../types.js';
import { cleanLine } from '../../gen/answer.js';
import { fillTemplate } from '../../gen/text.js';
import { ID } from './common.js';

/**
 * reason.analysis L2 — find the wrong line: a generated three-function Python module whose
 * docstrings state what each function must do; one line of one function contradicts its docstring.
 */

interface BugFamily {
  /** Function lines with placeholders; the docstring states the intended behaviour. */
  lines: string[];
  /** Placeholder → candidate names. */
  names: Record<string, string[]>;
  /** Constants drawn per instance. */
  consts?: (rng: ProbeRng) => Record<string, number>;
  /** Index into `lines` and the wrong replacement. */
  bugs: Array<{ at: number; line: string }>;
  /** Python asserts of the documented behaviour (use the placeholders); at least one fails for each bug. */
  asserts: string[];
}

const BUG_FAMILIES: BugFamily[] = [
  {
    names: { fn: ['window_sums', 'rolling_totals', 'run_sums', 'sliding_sums'], vals: ['values', 'series', 'readings', 'xs'], k: ['k', 'width', 'size', 'span'], out: ['out', 'sums', 'result'], i: ['i', 'start', 'pos'] },
    lines: [
      'def {fn}({vals}, {k}):',
      '    """Return the sums of every run of {k} consecutive items of {vals}, in order.',
      '',
      '    A list of n items has n - {k} + 1 such runs (none when {k} > n).',
      '    """',
      '    {out} = []',
      '    for {i} in range(len({vals}) - {k} + 1):',
      '        {out}.append(sum({vals}[{i}:{i} + {k}]))',
      '    return {out}',
    ],
    bugs: [
      { at: 6, line: '    for {i} in range(len({vals}) - {k}):' },
      { at: 7, line: '        {out}.append(sum({vals}[{i}:{i} + {k} - 1]))' },
    ],
    asserts: ['{fn}([1, 2, 3, 4], 2) == [3, 5, 7]', '{fn}([5, 1, 2], 3) == [8]', '{fn}([1, 2], 3) == []'],
  },
  {
    names: { fn: ['average_valid', 'mean_of_scores', 'clean_average', 'valid_mean'], scores: ['scores', 'marks', 'entries', 'points'], total: ['total', 'running', 'acc'], n: ['count', 'n', 'used'], s: ['s', 'x', 'value'] },
    lines: [
      'def {fn}({scores}):',
      '    """Average of the entries that are not None and not negative (0 is a valid entry).',
      '',
      '    Returns 0.0 when no entry is valid.',
      '    """',
      '    {total} = 0',
      '    {n} = 0',
      '    for {s} in {scores}:',
      '        if {s} is None or {s} < 0:',
      '            continue',
      '        {total} += {s}',
      '        {n} += 1',
      '    if {n} == 0:',
      '        return 0.0',
      '    return {total} / {n}',
    ],
    bugs: [
      { at: 8, line: '        if {s} is None or {s} <= 0:' },
      { at: 14, line: '    return {total} / len({scores})' },
    ],
    asserts: ['{fn}([4, None, 0, -3, 8]) == 4.0', '{fn}([None, -1]) == 0.0', '{fn}([10, 20]) == 15.0'],
  },
  {
    names: { fn: ['find_index', 'locate', 'search_sorted', 'position_of'], items: ['items', 'sorted_vals', 'keys', 'table'], target: ['target', 'wanted', 'key', 'needle'], lo: ['lo', 'low', 'left'], hi: ['hi', 'high', 'right'], mid: ['mid', 'middle', 'm'] },
    lines: [
      'def {fn}({items}, {target}):',
      '    """Return the index of {target} in the ascending list {items}, or -1 if it is absent."""',
      '    {lo}, {hi} = 0, len({items}) - 1',
      '    while {lo} <= {hi}:',
      '        {mid} = ({lo} + {hi}) // 2',
      '        if {items}[{mid}] == {target}:',
      '            return {mid}',
      '        if {items}[{mid}] < {target}:',
      '            {lo} = {mid} + 1',
      '        else:',
      '            {hi} = {mid} - 1',
      '    return -1',
    ],
    bugs: [
      { at: 3, line: '    while {lo} < {hi}:' },
      { at: 7, line: '        if {items}[{mid}] > {target}:' },
    ],
    asserts: ['{fn}([1, 3, 5, 7, 9], 9) == 4', '{fn}([1, 3, 5, 7, 9], 1) == 0', '{fn}([1, 3, 5, 7, 9], 4) == -1', '{fn}([2], 2) == 0', '{fn}([1, 3, 5, 7, 9], 7) == 3'],
  },
  {
    names: { fn: ['percent_changes', 'step_growth', 'relative_moves', 'pct_deltas'], prices: ['prices', 'levels', 'quotes', 'counts'], out: ['out', 'changes', 'moves'], i: ['i', 'day', 't'], prev: ['prev', 'before', 'old'], cur: ['cur', 'after', 'new'] },
    lines: [
      'def {fn}({prices}):',
      '    """Percentage change from each value to the next, relative to the earlier value.',
      '',
      '    Each change is rounded to 1 decimal; n values give n - 1 changes.',
      '    """',
      '    {out} = []',
      '    for {i} in range(1, len({prices})):',
      '        {prev}, {cur} = {prices}[{i} - 1], {prices}[{i}]',
      '        {out}.append(round(({cur} - {prev}) / {prev} * 100, 1))',
      '    return {out}',
    ],
    bugs: [
      { at: 8, line: '        {out}.append(round(({cur} - {prev}) / {cur} * 100, 1))' },
      { at: 6, line: '    for {i} in range(2, len({prices})):' },
    ],
    asserts: ['{fn}([100, 110, 99]) == [10.0, -10.0]', '{fn}([50, 75]) == [50.0]', '{fn}([8]) == []'],
  },
  {
    names: { fn: ['word_counts', 'tally_words', 'count_terms', 'frequencies'], text: ['text', 'body', 'passage', 'doc'], counts: ['counts', 'freq', 'seen'], raw: ['raw', 'token', 'piece'], w: ['w', 'word', 'term'] },
    lines: [
      'def {fn}({text}):',
      '    """Count how often each word occurs, case-insensitively.',
      '',
      '    Surrounding punctuation (.,;:!?) is not part of a word; words are lower-cased keys.',
      '    """',
      '    {counts} = {}',
      '    for {raw} in {text}.split():',
      '        {w} = {raw}.strip(".,;:!?").lower()',
      '        if not {w}:',
      '            continue',
      '        {counts}[{w}] = {counts}.get({w}, 0) + 1',
      '    return {counts}',
    ],
    bugs: [
      { at: 7, line: '        {w} = {raw}.strip(".,;:!?")' },
      { at: 10, line: '        {counts}[{w}] = {counts}.get({w}, 1) + 1' },
    ],
    asserts: ['{fn}("The cat saw the dog.") == {"the": 2, "cat": 1, "saw": 1, "dog": 1}', '{fn}("Hi! hi, HI?") == {"hi": 3}'],
  },
  {
    names: { fn: ['chunk', 'split_batches', 'in_groups', 'paginate'], xs: ['xs', 'records', 'rows', 'queue'], size: ['size', 'per_page', 'batch', 'n'], chunks: ['chunks', 'pages', 'groups'], start: ['start', 'offset', 'first'] },
    lines: [
      'def {fn}({xs}, {size}):',
      '    """Split {xs} into consecutive chunks of {size} items, in order.',
      '',
      '    The last chunk may be shorter; no item is dropped or repeated.',
      '    """',
      '    {chunks} = []',
      '    for {start} in range(0, len({xs}), {size}):',
      '        {chunks}.append({xs}[{start}:{start} + {size}])',
      '    return {chunks}',
    ],
    bugs: [
      { at: 6, line: '    for {start} in range(0, len({xs}) - {size}, {size}):' },
      { at: 7, line: '        {chunks}.append({xs}[{start}:{size}])' },
    ],
    asserts: ['{fn}([1, 2, 3, 4, 5], 2) == [[1, 2], [3, 4], [5]]', '{fn}([1, 2, 3, 4], 2) == [[1, 2], [3, 4]]', '{fn}([], 3) == []'],
  },
  {
    names: { fn: ['is_leap', 'leap_year', 'has_feb_29', 'is_long_year'], year: ['year', 'y', 'yr'] },
    lines: [
      'def {fn}({year}):',
      '    """True for Gregorian leap years.',
      '',
      '    A year divisible by 4 is a leap year, except years divisible by 100,',
      '    which are leap years only when also divisible by 400.',
      '    """',
      '    if {year} % 400 == 0:',
      '        return True',
      '    if {year} % 100 == 0:',
      '        return False',
      '    return {year} % 4 == 0',
    ],
    bugs: [
      { at: 9, line: '        return True' },
      { at: 10, line: '    return {year} % 4 != 0' },
      { at: 6, line: '    if {year} % 40 == 0:' },
    ],
    asserts: ['{fn}(2000) is True', '{fn}(1900) is False', '{fn}(2024) is True', '{fn}(2023) is False', '{fn}(1960) is True', '{fn}(2400) is True'],
  },
  {
    names: { fn: ['median', 'middle_value', 'median_of', 'central'], values: ['values', 'samples', 'data', 'xs'], s: ['s', 'ordered', 'ranked'], n: ['n', 'count', 'size'], mid: ['mid', 'half', 'h'] },
    lines: [
      'def {fn}({values}):',
      '    """Median of a non-empty list of numbers.',
      '',
      '    With an even count it is the mean of the two middle values of the sorted list.',
      '    """',
      '    {s} = sorted({values})',
      '    {n} = len({s})',
      '    {mid} = {n} // 2',
      '    if {n} % 2 == 1:',
      '        return {s}[{mid}]',
      '    return ({s}[{mid} - 1] + {s}[{mid}]) / 2',
    ],
    bugs: [
      { at: 5, line: '    {s} = list({values})' },
      { at: 10, line: '    return ({s}[{mid}] + {s}[{mid} + 1]) / 2' },
      { at: 8, line: '    if {n} % 2 == 0:' },
    ],
    asserts: ['{fn}([3, 1, 2]) == 2', '{fn}([4, 1, 3, 2]) == 2.5', '{fn}([7]) == 7', '{fn}([9, 1, 5, 3, 7, 11]) == 6.0'],
  },
  {
    names: { fn: ['normalise', 'scale_unit', 'to_fraction', 'rescale'], values: ['values', 'levels', 'raw'], low: ['low', 'lo', 'floor'], high: ['high', 'hi', 'ceiling'], out: ['out', 'scaled', 'result'], v: ['v', 'x', 'level'] },
    lines: [
      'def {fn}({values}, {low}, {high}):',
      '    """Map each value linearly from [{low}, {high}] onto [0, 1].',
      '',
      '    Values below {low} become 0.0 and values above {high} become 1.0.',
      '    """',
      '    {out} = []',
      '    for {v} in {values}:',
      '        {v} = max({low}, min({high}, {v}))',
      '        {out}.append(({v} - {low}) / ({high} - {low}))',
      '    return {out}',
    ],
    bugs: [
      { at: 8, line: '        {out}.append(({v} - {low}) / {high})' },
      { at: 7, line: '        {v} = min({low}, max({high}, {v}))' },
    ],
    asserts: ['{fn}([10, 15, 20], 10, 20) == [0.0, 0.5, 1.0]', '{fn}([5, 25], 10, 20) == [0.0, 1.0]', '{fn}([14], 12, 16) == [0.5]'],
  },
  {
    names: { fn: ['to_fahrenheit', 'c_to_f', 'convert_readings', 'fahrenheit_series'], readings: ['readings', 'temps', 'celsius'], out: ['out', 'converted', 'result'], c: ['c', 't', 'deg'] },
    lines: [
      'def {fn}({readings}):',
      '    """Convert Celsius readings to Fahrenheit (F = C * 9 / 5 + 32), rounded to 1 decimal.',
      '',
      '    Missing readings (None) are skipped; the others keep their order.',
      '    """',
      '    {out} = []',
      '    for {c} in {readings}:',
      '        if {c} is None:',
      '            continue',
      '        {out}.append(round({c} * 9 / 5 + 32, 1))',
      '    return {out}',
    ],
    bugs: [
      { at: 8, line: '            break' },
      { at: 9, line: '        {out}.append(round({c} * 5 / 9 + 32, 1))' },
    ],
    asserts: ['{fn}([0, None, 100]) == [32.0, 212.0]', '{fn}([-40]) == [-40.0]', '{fn}([None, 37]) == [98.6]'],
  },
  {
    names: { fn: ['final_balance', 'apply_transactions', 'settle', 'run_ledger'], start: ['start', 'opening', 'initial'], amounts: ['amounts', 'moves', 'entries'], fee: ['fee', 'penalty', 'charge'], bal: ['bal', 'balance', 'cash'], a: ['a', 'amt', 'step'] },
    lines: [
      'def {fn}({start}, {amounts}, {fee}):',
      '    """Apply deposits (positive) and withdrawals (negative) in order, starting from {start}.',
      '',
      '    Each withdrawal that leaves the balance below zero is charged {fee} once.',
      '    Deposits are never charged. Returns the final balance.',
      '    """',
      '    {bal} = {start}',
      '    for {a} in {amounts}:',
      '        {bal} += {a}',
      '        if {a} < 0 and {bal} < 0:',
      '            {bal} -= {fee}',
      '    return {bal}',
    ],
    bugs: [
      { at: 9, line: '        if {a} < 0 or {bal} < 0:' },
      { at: 10, line: '            {bal} += {fee}' },
      { at: 9, line: '        if {a} < 0 and {bal} <= 0:' },
    ],
    asserts: ['{fn}(10, [-20, 5], 3) == -8', '{fn}(0, [-5, 2], 1) == -4', '{fn}(5, [-5], 2) == 0', '{fn}(100, [-30, 40], 9) == 110'],
  },
  {
    names: { fn: ['factorial', 'product_upto', 'fact', 'arrangements'], n: ['n', 'count', 'k'], result: ['result', 'prod', 'acc'], i: ['i', 'factor', 'j'] },
    lines: [
      'def {fn}({n}):',
      '    """Return {n}! = 1 * 2 * ... * {n} for a non-negative integer {n} (0! is 1)."""',
      '    {result} = 1',
      '    for {i} in range(2, {n} + 1):',
      '        {result} *= {i}',
      '    return {result}',
    ],
    bugs: [
      { at: 3, line: '    for {i} in range(2, {n}):' },
      { at: 2, line: '    {result} = 0' },
    ],
    asserts: ['{fn}(0) == 1', '{fn}(1) == 1', '{fn}(5) == 120', '{fn}(3) == 6'],
  },
];

const MODULE_DOCS = [
  'Small numeric and text helpers used by the nightly export.',
  'Utility functions shared by the reporting scripts.',
  'Helpers for the data-cleaning step of the pipeline.',
  'Assorted routines for the dashboard backend.',
  'Functions used by the billing and metrics jobs.',
];

export interface AnalysisL2Case {
  text: string;
  /** 1-based line number of the wrong line. */
  bugLine: number;
  /** The same file with the wrong line corrected. */
  fixedText: string;
  /** Python asserts of the documented behaviour of the function with the wrong line. */
  asserts: string[];
  /** The other two functions' asserts, which hold in both versions. */
  otherAsserts: string[];
  /** The functions' names, in file order. */
  functions: string[];
}

export function analysisL2Case(rng: ProbeRng): AnalysisL2Case {
  const fams = rng.sample(BUG_FAMILIES, 3);
  const buggy = rng.int(0, 2);
  const out: string[] = [];
  out.push(`"""${rng.pick(MODULE_DOCS)}"""`);
  if (rng.next() < 0.5) out.push('', `__version__ = "${rng.int(0, 3)}.${rng.int(0, 19)}"`);
  let bugLine = 0;
  let correctLine = '';
  const asserts: string[][] = [];
  const functions: string[] = [];
  fams.forEach((fam, fi) => {
    const vars: Record<string, string> = {};
    const used = new Set<string>();
    for (const [k, pool] of Object.entries(fam.names)) {
      const options = pool.filter((p) => !used.has(p));
      const v = rng.pick(options.length ? options : pool);
      used.add(v);
      vars[k] = v;
    }
    out.push('', '');
    if (rng.next() < 0.4) out.push(`# ${rng.pick(['Kept small on purpose.', 'See the data notes for the input format.', 'Pure function: no I/O.', 'Used by two call sites.'])}`);
    const bug = fi === buggy ? rng.pick(fam.bugs) : undefined;
    fam.lines.forEach((l, li) => {
      if (bug && li === bug.at) {
        out.push(fillTemplate(bug.line, vars));
        bugLine = out.length;
        correctLine = fillTemplate(l, vars);
      } else out.push(fillTemplate(l, vars));
    });
    asserts.push(fam.asserts.map((a) => fillTemplate(a, vars)));
    functions.push(vars.fn!);
  });
  out.push('');
  const fixed = [...out];
  fixed[bugLine - 1] = correctLine;
  return { text: out.join('\n'), bugLine, fixedText: fixed.join('\n'), asserts: asserts[buggy]!, otherAsserts: asserts.filter((_, i) => i !== buggy).flat(), functions };
}

/** The number right after `Line` on the last line that starts with it (`Line: 12`, `**Line 12**`, `Line #12: …`). */
function lineAnswer(text: string): number | undefined {
  const ls = lines(text).map(cleanLine);
  for (let i = ls.length - 1; i >= 0; i--) {
    const m = /^line(?:\s+number)?\s*[:=#]?\s*(\d+)/i.exec(ls[i]!);
    if (m) return Number(m[1]);
  }
  return undefined;
}

export function level2(rng: ProbeRng, seed: number): ProbeInstance {
  const c = analysisL2Case(rng);
  const fileName = `${rng.pick(['helpers', 'utils', 'toolkit', 'routines', 'common', 'calc'])}_${rng.pick(['core', 'misc', 'lib', 'v2', 'ops'])}.py`;
  const total = c.text.split('\n').length;
  const nearLine = c.bugLine - 1 >= 1 && c.text.split('\n')[c.bugLine - 2]!.trim() !== '' ? c.bugLine - 1 : c.bugLine + 1;
  const prompt =
    `In ${fileName} (current directory), each of the three functions ${c.functions.join(', ')} has a docstring stating exactly what it must do. ` +
    `Exactly one line makes its function differ from its docstring. Explain the problem briefly, then end with the line \`Line: <number>\`, its line number in the file (first line is 1).`;
  return {
    primitiveId: ID,
    level: 'L2',
    seed,
    prompt,
    setupFiles: { [fileName]: c.text },
    requires: [],
    async check(ctx) {
      const n = lineAnswer(ctx.finalText);
      return [cp('line_correct', n === c.bugLine, `expected line ${c.bugLine} of ${total}, got ${n ?? 'no Line: answer'}`)];
    },
    reference: solution({ toolCalls: [call.read(fileName)] }, { text: `Line ${c.bugLine} contradicts the docstring of its function.\n\nLine: ${c.bugLine}` }),
    nearMiss: solution({ toolCalls: [call.read(fileName)] }, { text: `The faulty statement is the one at line ${nearLine}.\n\nLine: ${nearLine}` }),
  };
}
