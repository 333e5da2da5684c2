import { call, cp, lines, solution, type ProbeRng } from '../../toolkit.js';
import type { ProbeCheckpoint, ProbeInstance } from '../../types.js';
import { cleanLine } from '../../gen/answer.js';
import { pseudoWord } from '../../gen/words.js';
import { ID, SOUNDS } from './common.js';

/**
 * reason.analysis L3 — multi-file root cause: a generated small Python program and the
 * traceback it prints; the answer is the file:line to change, which is not where it raises.
 */

class Src {
  readonly lines: string[] = [];
  readonly tags = new Map<string, number>();
  add(line: string, tag?: string): this {
    this.lines.push(line);
    if (tag) this.tags.set(tag, this.lines.length);
    return this;
  }
  blank(n = 1): this {
    for (let i = 0; i < n; i++) this.lines.push('');
    return this;
  }
  line(tag: string): number {
    const n = this.tags.get(tag);
    if (n === undefined) throw new Error(`no line tagged ${tag}`);
    return n;
  }
  src(tag: string): string {
    return this.lines[this.line(tag) - 1]!.trim();
  }
  text(): string {
    return this.lines.join('\n') + '\n';
  }
}

type RootKind = 'delimiter' | 'conversion' | 'statusConfig' | 'statusFilter' | 'argmax' | 'groupItems';

export interface AnalysisL3Case {
  kind: RootKind;
  files: Record<string, string>;
  /** The files with the root-cause line corrected (only the changed file differs). */
  fixedFiles: Record<string, string>;
  traceback: string;
  frames: Array<{ file: string; line: number; fn: string }>;
  errorLine: string;
  root: { file: string; line: number };
  raise: { file: string; line: number };
}

function typo(word: string, rng: ProbeRng): string {
  const kind = rng.int(0, 2);
  if (kind === 0 && word.length >= 4) {
    const i = rng.int(1, word.length - 3);
    return word.slice(0, i) + word[i + 1] + word[i] + word.slice(i + 2);
  }
  if (kind === 1 && word.length >= 4) {
    const i = rng.int(1, word.length - 2);
    return word.slice(0, i) + word.slice(i + 1);
  }
  return word[0]!.toUpperCase() + word.slice(1);
}

function comment(rng: ProbeRng, src: Src): void {
  if (rng.next() < 0.5) return;
  src.add(
    `# ${rng.pick([
      'Keep this module free of side effects.',
      'Part of the weekly summary job.',
      'Inputs come from the export in data/.',
      'Do not reorder: the report relies on it.',
      'Checked by the nightly run.',
      'Simple on purpose; profile before optimising.',
    ])}`,
  );
}

export function analysisL3Case(rng: ProbeRng): AnalysisL3Case {
  for (;;) {
    const kind = rng.pick(['delimiter', 'conversion', 'statusConfig', 'statusFilter', 'argmax', 'groupItems'] as const);
    const mod = {
      config: rng.pick(['config', 'settings', 'options']),
      loader: rng.pick(['loader', 'reader', 'ingest', 'source']),
      records: rng.pick(['records', 'rows', 'model', 'parsing']),
      filters: rng.pick(['filters', 'selection', 'rules', 'criteria']),
      helpers: rng.pick(['helpers', 'util', 'common', 'tools']),
      stats: rng.pick(['stats', 'metrics', 'calc', 'figures']),
      report: rng.pick(['report', 'summary', 'render', 'output']),
    };
    const fn = {
      read: rng.pick(['read_table', 'load_rows', 'read_rows', 'load_table']),
      parse: rng.pick(['to_records', 'parse_rows', 'build_records', 'as_records']),
      keep: rng.pick(['keep_wanted', 'select_rows', 'only_current', 'filter_status']),
      build: rng.pick(['build_report', 'render_report', 'summarise', 'make_summary']),
      group: rng.pick(['group_by', 'bucket_by', 'partition_by']),
      argmax: rng.pick(['index_of_max', 'argmax', 'position_of_largest']),
      total: rng.pick(['total', 'sum_all', 'add_up']),
      mean: rng.pick(['mean', 'average', 'avg']),
    };
    const f = {
      name: rng.pick(['name', 'label', 'code', 'item']),
      group: rng.pick(['region', 'team', 'category', 'site', 'branch', 'carrier']),
      amount: rng.pick(['amount', 'value', 'weight', 'price', 'score', 'hours']),
      status: rng.pick(['status', 'state']),
    };
    const [wantedStatus, otherStatus] = rng.pick([
      ['active', 'retired'],
      ['open', 'closed'],
      ['live', 'archived'],
      ['paid', 'pending'],
      ['valid', 'expired'],
      ['shipped', 'returned'],
    ] as const);
    const badStatus = typo(wantedStatus, rng);
    if (badStatus === wantedStatus || badStatus === otherStatus) continue;

    // --- data
    const columns = rng.shuffle([f.name, f.group, f.amount, f.status]);
    const col = (k: string): number => columns.indexOf(k);
    const groups = Array.from(new Set(Array.from({ length: 6 }, () => pseudoWord(rng, SOUNDS)))).slice(0, 3);
    if (groups.length < 3) continue;
    const nRows = rng.int(8, 13);
    const rows = Array.from({ length: nRows }, () => ({
      name: pseudoWord(rng, SOUNDS),
      group: rng.pick(groups),
      amount: rng.int(100, 9999) / 100,
      status: rng.next() < 0.65 ? wantedStatus : otherStatus,
    }));
    const wanted = rows.filter((r) => r.status === wantedStatus);
    if (wanted.length < 3) continue;
    if (kind === 'argmax') {
      // The largest wanted amount is the last wanted row, strictly.
      const last = wanted[wanted.length - 1]!;
      last.amount = Math.max(...wanted.map((r) => r.amount)) + rng.int(1, 500) / 100;
      last.amount = Math.round(last.amount * 100) / 100;
      // The wrong update (best = i + 1) must run past the end, i.e. the program really crashes.
      const vals = wanted.map((r) => r.amount);
      let best = 0;
      for (let i = 1; i < vals.length && best < vals.length; i++) if (vals[i]! > vals[best]!) best = i + 1;
      if (best !== vals.length) continue;
    }
    const csvRow = (r: (typeof rows)[number]): string =>
      columns.map((c) => (c === f.name ? r.name : c === f.group ? r.group : c === f.amount ? r.amount.toFixed(2) : r.status)).join(',');
    const dataFile = `data/${rng.pick(['export', 'records', 'latest', 'batch'])}_${rng.int(10, 99)}.csv`;
    const csv = [columns.join(','), ...rows.map(csvRow)].join('\n') + '\n';

    // --- config
    const cfg = new Src();
    cfg.add(`"""Settings for the ${rng.pick(['weekly', 'nightly', 'monthly'])} summary."""`).blank();
    cfg.add(`DATA_FILE = "${dataFile}"`);
    cfg.add(`DECIMALS = 2`);
    cfg.add(`# Only rows in this state are summarised.`);
    cfg.add(`WANTED_STATUS = "${kind === 'statusConfig' ? badStatus : wantedStatus}"`, 'status');
    const cfgFixed = `WANTED_STATUS = "${wantedStatus}"`;

    // --- loader
    const ld = new Src();
    ld.add(`"""Reading the raw export."""`).blank(2);
    comment(rng, ld);
    ld.add(`def ${fn.read}(path):`);
    ld.add(`    """Return the rows of a comma-separated file as lists of fields (header included)."""`);
    ld.add(`    table = []`);
    ld.add(`    with open(path) as fh:`);
    ld.add(`        for line in fh:`);
    ld.add(`            line = line.strip()`);
    ld.add(`            if line:`);
    ld.add(`                table.append(line.split("${kind === 'delimiter' ? ';' : ','}"))`, 'split');
    ld.add(`    return table`);
    const ldFixed = `                table.append(line.split(","))`;

    // --- records
    const rc = new Src();
    rc.add(`"""Turning raw rows into records."""`).blank(2);
    rc.add(`${f.name.toUpperCase()}_COL = ${col(f.name)}`);
    rc.add(`${f.group.toUpperCase()}_COL = ${col(f.group)}`);
    rc.add(`${f.amount.toUpperCase()}_COL = ${col(f.amount)}`);
    rc.add(`${f.status.toUpperCase()}_COL = ${col(f.status)}`);
    rc.blank(2);
    comment(rng, rc);
    rc.add(`def ${fn.parse}(table):`);
    rc.add(`    """One dict per data row (the header row is skipped); ${f.amount} becomes a float."""`);
    rc.add(`    out = []`);
    rc.add(`    for parts in table[1:]:`);
    rc.add(`        rec = {}`);
    rc.add(`        rec["${f.name}"] = parts[${f.name.toUpperCase()}_COL].strip()`, `f:${f.name}`);
    rc.add(`        rec["${f.group}"] = parts[${f.group.toUpperCase()}_COL].strip()`, `f:${f.group}`);
    rc.add(
      kind === 'conversion' ? `        rec["${f.amount}"] = parts[${f.amount.toUpperCase()}_COL].strip()` : `        rec["${f.amount}"] = float(parts[${f.amount.toUpperCase()}_COL])`,
      `f:${f.amount}`,
    );
    rc.add(`        rec["${f.status}"] = parts[${f.status.toUpperCase()}_COL].strip()`, `f:${f.status}`);
    rc.add(`        out.append(rec)`);
    rc.add(`    return out`);
    const rcFixed = `        rec["${f.amount}"] = float(parts[${f.amount.toUpperCase()}_COL])`;
    // With the wrong delimiter every row has one field: the first access to a column ≥ 1 raises.
    const firstBad = [f.name, f.group, f.amount, f.status].find((k) => col(k) >= 1)!;

    // --- filters
    const fl = new Src();
    fl.add(`"""Which records take part in the summary."""`).blank();
    fl.add(`from ${mod.config} import WANTED_STATUS`).blank(2);
    comment(rng, fl);
    fl.add(`def ${fn.keep}(records):`);
    fl.add(`    """The records whose ${f.status} is the wanted one, in their original order."""`);
    if (kind === 'statusFilter') fl.add(`    return [r for r in records if r["${f.status}"] == "${badStatus}"]`, 'cmp');
    else fl.add(`    return [r for r in records if r["${f.status}"] == WANTED_STATUS]`, 'cmp');
    const flFixed = `    return [r for r in records if r["${f.status}"] == WANTED_STATUS]`;

    // --- helpers
    const hp = new Src();
    hp.add(`"""Generic helpers."""`).blank(2);
    hp.add(`def ${fn.group}(records, key):`);
    hp.add(`    """A dict mapping each value of records[i][key] to the list of records having it."""`);
    hp.add(`    groups = {}`);
    hp.add(`    for r in records:`);
    hp.add(`        groups.setdefault(r[key], []).append(r)`);
    hp.add(kind === 'groupItems' ? `    return groups.items()` : `    return groups`, 'groupReturn');
    hp.blank(2);
    comment(rng, hp);
    hp.add(`def ${fn.argmax}(values):`);
    hp.add(`    """Index of the largest value (the first one if several are equal)."""`);
    hp.add(`    best = 0`);
    hp.add(`    for i in range(1, len(values)):`);
    hp.add(`        if values[i] > values[best]:`);
    hp.add(kind === 'argmax' ? `            best = i + 1` : `            best = i`, 'argmaxSet');
    hp.add(`    return best`);
    const hpFixed = kind === 'groupItems' ? `    return groups` : `            best = i`;

    // --- stats
    const st = new Src();
    st.add(`"""Numeric summaries."""`).blank(2);
    st.add(`def ${fn.total}(values):`);
    st.add(`    acc = 0`);
    st.add(`    for v in values:`);
    st.add(`        acc += v`, 'acc');
    st.add(`    return acc`);
    st.blank(2);
    st.add(`def ${fn.mean}(values):`);
    st.add(`    return ${fn.total}(values) / len(values)`, 'div');
    if (rng.next() < 0.5) {
      st.blank(2);
      st.add(`def spread(values):`);
      st.add(`    return max(values) - min(values)`);
    }

    // --- report
    const rp = new Src();
    rp.add(`"""Plain-text summary."""`).blank();
    rp.add(`from ${mod.config} import DECIMALS`);
    rp.add(`from ${mod.helpers} import ${fn.group}, ${fn.argmax}`);
    rp.add(`from ${mod.stats} import ${fn.total}, ${fn.mean}`).blank(2);
    comment(rng, rp);
    rp.add(`def ${fn.build}(records):`);
    rp.add(`    amounts = [r["${f.amount}"] for r in records]`);
    rp.add(`    lines = ["records: %d" % len(records)]`);
    rp.add(`    lines.append("total: %.*f" % (DECIMALS, ${fn.total}(amounts)))`, 'callTotal');
    rp.add(`    lines.append("mean: %.*f" % (DECIMALS, ${fn.mean}(amounts)))`, 'callMean');
    rp.add(`    top = records[${fn.argmax}(amounts)]`, 'top');
    rp.add(`    lines.append("largest: %s" % top["${f.name}"])`);
    rp.add(`    groups = ${fn.group}(records, "${f.group}")`);
    rp.add(`    for key in sorted(groups):`);
    rp.add(`        part = [r["${f.amount}"] for r in groups[key]]`, 'groupIndex');
    rp.add(`        lines.append("%s: %.*f" % (key, DECIMALS, ${fn.total}(part)))`);
    rp.add(`    return "\\n".join(lines)`);

    // --- main
    const mn = new Src();
    mn.add(`"""Entry point: python3 main.py"""`).blank();
    mn.add(`from ${mod.config} import DATA_FILE`);
    mn.add(`from ${mod.loader} import ${fn.read}`);
    mn.add(`from ${mod.records} import ${fn.parse}`);
    mn.add(`from ${mod.filters} import ${fn.keep}`);
    mn.add(`from ${mod.report} import ${fn.build}`).blank(2);
    mn.add(`def main():`);
    mn.add(`    table = ${fn.read}(DATA_FILE)`);
    mn.add(`    records = ${fn.parse}(table)`, 'callParse');
    mn.add(`    chosen = ${fn.keep}(records)`);
    mn.add(`    print(${fn.build}(chosen))`, 'callBuild').blank(2);
    mn.add(`if __name__ == "__main__":`);
    mn.add(`    main()`, 'callMain');

    const file = (m: string): string => `${m}.py`;
    const sources: Record<string, Src> = {
      'main.py': mn,
      [file(mod.config)]: cfg,
      [file(mod.loader)]: ld,
      [file(mod.records)]: rc,
      [file(mod.filters)]: fl,
      [file(mod.helpers)]: hp,
      [file(mod.stats)]: st,
      [file(mod.report)]: rp,
    };
    const files: Record<string, string> = { [dataFile]: csv };
    for (const [name, s] of Object.entries(sources)) files[name] = s.text();

    // Frames (outermost first) and the error, by kind.
    type Frame = { file: string; src: Src; tag: string; fn: string };
    const outer: Frame[] = [{ file: 'main.py', src: mn, tag: 'callMain', fn: '<module>' }];
    let frames: Frame[];
    let errorLine: string;
    let root: { file: string; src: Src; tag: string; fixed: string };
    if (kind === 'delimiter') {
      frames = [...outer, { file: 'main.py', src: mn, tag: 'callParse', fn: 'main' }, { file: file(mod.records), src: rc, tag: `f:${firstBad}`, fn: fn.parse }];
      errorLine = 'IndexError: list index out of range';
      root = { file: file(mod.loader), src: ld, tag: 'split', fixed: ldFixed };
    } else if (kind === 'conversion') {
      frames = [...outer, { file: 'main.py', src: mn, tag: 'callBuild', fn: 'main' }, { file: file(mod.report), src: rp, tag: 'callTotal', fn: fn.build }, { file: file(mod.stats), src: st, tag: 'acc', fn: fn.total }];
      errorLine = "TypeError: unsupported operand type(s) for +=: 'int' and 'str'";
      root = { file: file(mod.records), src: rc, tag: `f:${f.amount}`, fixed: rcFixed };
    } else if (kind === 'statusConfig' || kind === 'statusFilter') {
      frames = [...outer, { file: 'main.py', src: mn, tag: 'callBuild', fn: 'main' }, { file: file(mod.report), src: rp, tag: 'callMean', fn: fn.build }, { file: file(mod.stats), src: st, tag: 'div', fn: fn.mean }];
      errorLine = 'ZeroDivisionError: division by zero';
      root = kind === 'statusConfig' ? { file: file(mod.config), src: cfg, tag: 'status', fixed: cfgFixed } : { file: file(mod.filters), src: fl, tag: 'cmp', fixed: flFixed };
    } else if (kind === 'argmax') {
      frames = [...outer, { file: 'main.py', src: mn, tag: 'callBuild', fn: 'main' }, { file: file(mod.report), src: rp, tag: 'top', fn: fn.build }];
      errorLine = 'IndexError: list index out of range';
      root = { file: file(mod.helpers), src: hp, tag: 'argmaxSet', fixed: hpFixed };
    } else {
      frames = [...outer, { file: 'main.py', src: mn, tag: 'callBuild', fn: 'main' }, { file: file(mod.report), src: rp, tag: 'groupIndex', fn: fn.build }];
      errorLine = "TypeError: 'dict_items' object is not subscriptable";
      root = { file: file(mod.helpers), src: hp, tag: 'groupReturn', fixed: hpFixed };
    }
    const traceback = [
      'Traceback (most recent call last):',
      ...frames.flatMap((fr) => [`  File "${fr.file}", line ${fr.src.line(fr.tag)}, in ${fr.fn}`, `    ${fr.src.src(fr.tag)}`]),
      errorLine,
    ].join('\n');
    const fixedSrc = [...root.src.lines];
    fixedSrc[root.src.line(root.tag) - 1] = root.fixed;
    const fixedFiles = { ...files, [root.file]: fixedSrc.join('\n') + '\n' };
    const last = frames[frames.length - 1]!;
    return {
      kind,
      files,
      fixedFiles,
      traceback,
      frames: frames.map((fr) => ({ file: fr.file, line: fr.src.line(fr.tag), fn: fr.fn })),
      errorLine,
      root: { file: root.file, line: root.src.line(root.tag) },
      raise: { file: last.file, line: last.src.line(last.tag) },
    };
  }
}

/** `file.py:12`, `file.py line 12`, `./file.py, line 12` on the last line that names a .py file. */
function fileAndLine(text: string): { file: string; line: number } | undefined {
  const ls = lines(text).map(cleanLine);
  for (let i = ls.length - 1; i >= 0; i--) {
    const m = /([A-Za-z0-9_./-]+\.py)["']?\s*(?::|,)?\s*(?:line\s*)?(\d+)/i.exec(ls[i]!);
    if (m) return { file: m[1]!.replace(/^.*\//, ''), line: Number(m[2]) };
  }
  return undefined;
}

export function level3(rng: ProbeRng, seed: number): ProbeInstance {
  const c = analysisL3Case(rng);
  const offByOne = rng.next() < 0.5;
  const near = offByOne ? { file: c.root.file, line: c.root.line + (c.root.line > 2 ? -1 : 1) } : c.raise;
  const pyFiles = Object.keys(c.files).filter((f) => f.endsWith('.py'));
  const prompt =
    `The current directory holds a Python program (${pyFiles.join(', ')}) and its input data in data/. It should print a summary of the records in the wanted state; \`python3 main.py\` fails:\n` +
    '```\n' +
    c.traceback +
    '\n```\n' +
    `Find the root cause: the one line to change to fix this (not necessarily where it raises). Do not edit the files. ` +
    `Briefly explain the chain of events, then end with a line \`<file>:<line>\` (e.g. \`main.py:7\`).`;
  return {
    primitiveId: ID,
    level: 'L3',
    seed,
    prompt,
    setupFiles: c.files,
    requires: [],
    async check(ctx) {
      const got = fileAndLine(ctx.finalText);
      const out: ProbeCheckpoint[] = [
        cp('file_correct', got?.file === c.root.file, `expected ${c.root.file}, got ${got ? got.file : 'no file:line'}`),
        cp('line_correct', got?.file === c.root.file && got.line === c.root.line, `expected ${c.root.file}:${c.root.line}, got ${got ? `${got.file}:${got.line}` : 'nothing'}`),
      ];
      return out;
    },
    reference: solution(
      { toolCalls: pyFiles.map((f) => call.read(f)) },
      { text: `The exception surfaces in ${c.raise.file} at line ${c.raise.line}, but the bad value originates earlier.\n\n${c.root.file}:${c.root.line}` },
    ),
    nearMiss: solution({ toolCalls: [call.read(c.raise.file)] }, { text: `The traceback points at the failing statement.\n\n${near.file}:${near.line}` }),
  };
}
