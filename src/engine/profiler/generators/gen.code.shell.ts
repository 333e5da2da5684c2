import { cp, generatorByLevel, lines, type ProbeRng } from '../toolkit.js';
import type { ProbeCheckpoint, ProbeInstance } from '../types.js';
import { distinctWords, RICH_SOUNDS, richWord } from '../gen/words.js';
import { checkProgram, programSolution } from '../gen/code-check.js';
import { firstLineDiff, squashedLines } from '../gen/text.js';

/**
 * gen.code.shell — the agent writes a bash script and runs it; the check compares what that run
 * wrote with the answer computed here, then replaces the input with fresh data of the same shape
 * and re-runs `bash solution.sh`, so a script that recites a hard-coded answer fails.
 * L1 basic commands (mkdir, grep), L2 pipes, redirection and loops over a folder, L3 a pipeline
 * of xargs and awk over key=value log lines in no fixed field order.
 */

const PRIMITIVE_ID = 'gen.code.shell';

// ── comparing outputs ──────────────────────────────────────────────────────────────────────

function sameLines(got: string | undefined, want: string[], what: string): string | undefined {
  if (got === undefined) return `${what} is missing`;
  const have = squashedLines(got);
  if (have.length === want.length && have.every((l, i) => l === want[i])) return undefined;
  return `${what} has ${have.length} lines, expected ${want.length}; ${firstLineDiff(have, want)}`;
}

// ── L1: basic commands ─────────────────────────────────────────────────────────────────────

const TAGS = ['ERROR', 'WARN', 'INFO', 'DEBUG', 'NOTICE', 'TRACE'];

function l1Log(rng: ProbeRng, tag: string): string[] {
  const others = TAGS.filter((t) => t !== tag);
  const n = rng.int(14, 36);
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    const t = rng.next() < 0.3 ? tag : rng.pick(others);
    out.push(`${t} ${richWord(rng, 2)} ${rng.pick(['started', 'stopped', 'failed', 'retried', 'queued', 'finished'])} in ${rng.int(1, 900)}ms`);
  }
  // Lines that mention the tag without starting with it, and at least two real ones.
  for (let k = 0; k < 2; k++) out.splice(rng.int(0, out.length), 0, `${rng.pick(others)} ${richWord(rng, 2)} recovered after ${tag} from ${richWord(rng, 2)}`);
  for (let k = 0; k < 2; k++) out.splice(rng.int(0, out.length), 0, `${tag} ${richWord(rng, 2)} ${rng.pick(['timed out', 'rejected', 'was slow'])} (${rng.int(1, 99)})`);
  return out;
}

function generateL1(rng: ProbeRng, seed: number): ProbeInstance {
  const tag = rng.pick(TAGS);
  const file = rng.pick(['app.log', 'events.log', 'system.log', 'service.log', 'journal.txt']);
  const dir = rng.pick(['report', 'out', 'summary', 'results', 'extract']);
  const linesFile = `${tag.toLowerCase()}_lines.txt`;
  const log = l1Log(rng, tag);
  const fresh = l1Log(rng, tag);
  const body = (l: string[]) => l.join('\n') + '\n';
  const answer = (l: string[]) => l.filter((x) => x.startsWith(`${tag} `));

  const prompt = [
    `Write a bash script solution.sh that, with basic commands such as mkdir and grep, creates the directory ${dir} (it may exist already), writes the ${tag}-level lines of the log ${file} (those starting "${tag} ") to ${dir}/${linesFile} in original order, and only their count to ${dir}/count.txt.`,
    `Run it; it must read ${file} each run, leaving it unchanged.`,
  ].join('\n');

  const src = (anchored: boolean) => {
    const pat = anchored ? `'^${tag} '` : `'${tag}'`;
    return ['#!/bin/bash', `mkdir -p ${dir}`, `grep ${pat} ${file} > ${dir}/${linesFile}`, `grep -c ${pat} ${file} > ${dir}/count.txt`, ''].join('\n');
  };

  const judge = async (read: (rel: string) => Promise<string | undefined>, isFresh: boolean) => {
    const want = answer(isFresh ? fresh : log);
    const bad = sameLines(await read(`${dir}/${linesFile}`), want, `${dir}/${linesFile}`);
    if (bad) return bad;
    const count = await read(`${dir}/count.txt`);
    if (count === undefined) return `${dir}/count.txt is missing`;
    return count.trim() === String(want.length) ? undefined : `${dir}/count.txt holds ${JSON.stringify(count.trim().slice(0, 40))}, expected ${want.length}`;
  };

  return {
    primitiveId: PRIMITIVE_ID,
    level: 'L1',
    seed,
    prompt,
    setupFiles: { [file]: body(log) },
    requires: ['bash'],
    check: (ctx) => checkProgram(ctx, { script: 'solution.sh', command: 'bash solution.sh', outputDirs: true, outputs: [dir], freshInputs: { [file]: body(fresh) }, judge }),
    reference: programSolution('solution.sh', src(true), 'bash solution.sh', `cat ${dir}/count.txt`, `solution.sh is written and was run; ${dir}/ holds the ${tag} lines and their count.`),
    nearMiss: programSolution('solution.sh', src(false), 'bash solution.sh', `cat ${dir}/count.txt`, `solution.sh is written and was run; ${dir}/ holds the ${tag} lines and their count.`),
  };
}

// ── L2: pipes, redirection, loops ──────────────────────────────────────────────────────────

function l2Teams(rng: ProbeRng, teams: string[], t: number): Record<string, Array<[string, number]>> {
  const names = distinctWords(rng, teams.length * 6, RICH_SOUNDS);
  const used = new Set<number>();
  const score = (lo: number, hi: number) => {
    for (;;) {
      const s = rng.int(lo, hi);
      if (!used.has(s)) {
        used.add(s);
        return s;
      }
    }
  };
  const out: Record<string, Array<[string, number]>> = {};
  let k = 0;
  teams.forEach((team, ti) => {
    const m = rng.int(3, 6);
    const rows: Array<[string, number]> = [];
    for (let i = 0; i < m; i++) rows.push([names[k++]!, score(10, 149)]);
    // A team with no one at or above the threshold, a three-digit score and some two-digit scores at or above it.
    if (ti === 0) for (const r of rows) r[1] = score(10, t - 1);
    if (ti === 1) rows[0]![1] = score(100, 149);
    if (ti === 2) rows[0]![1] = score(t, 99);
    if (ti === 1) rows[1]![1] = score(t, 99);
    out[team] = rng.shuffle(rows);
  });
  return out;
}

function generateL2(rng: ProbeRng, seed: number): ProbeInstance {
  const dir = rng.pick(['scores', 'teams', 'groups', 'results']);
  const teams = distinctWords(rng, rng.int(3, 5), RICH_SOUNDS, { syllables: [1, 2] });
  const t = rng.int(40, 80);
  const k = rng.int(3, 6);
  const data = l2Teams(rng, teams, t);
  const fresh = l2Teams(rng, teams, t);
  const files = (d: Record<string, Array<[string, number]>>) => Object.fromEntries(Object.entries(d).map(([team, rows]) => [`${dir}/${team}.txt`, rows.map(([n, s]) => `${n} ${s}`).join('\n') + '\n']));
  const top = (d: Record<string, Array<[string, number]>>) =>
    Object.values(d)
      .flat()
      .filter(([, s]) => s >= t)
      .sort((a, b) => b[1] - a[1])
      .slice(0, k)
      .map(([n, s]) => `${n} ${s}`);
  const counts = (d: Record<string, Array<[string, number]>>) =>
    Object.keys(d)
      .sort()
      .map((team) => `${team} ${d[team]!.filter(([, s]) => s >= t).length}`);

  const prompt = [
    `${dir}/ has one file per team, <team>.txt, with lines "<name> <score>" (integer score).`,
    'Write a bash script solution.sh, using pipes, redirection and loops, that writes:',
    `- result.txt: the ${k} highest-scoring people of all teams with score >= ${t}, one "<name> <score>" per line, highest first (fewer if fewer qualify);`,
    `- teams.txt: per team file a line "<team> <count of its people with score >= ${t}>" (0 if none), sorted by team name.`,
    `Run it; it must read ${dir}/ each run, leaving it unchanged.`,
  ].join('\n');

  const src = (numeric: boolean) =>
    [
      '#!/bin/bash',
      `T=${t}`,
      `for f in ${dir}/*.txt; do`,
      '  while read -r name score; do',
      '    if [ "$score" -ge "$T" ]; then echo "$name $score"; fi',
      '  done < "$f"',
      `done | sort -k2,2${numeric ? 'n' : ''}r | head -n ${k} > result.txt`,
      '',
      ': > teams.txt',
      `for f in ${dir}/*.txt; do`,
      '  team=$(basename "$f" .txt)',
      '  n=0',
      '  while read -r name score; do',
      '    if [ "$score" -ge "$T" ]; then n=$((n + 1)); fi',
      '  done < "$f"',
      '  echo "$team $n" >> teams.txt',
      'done',
      '',
    ].join('\n');

  const judge = async (read: (rel: string) => Promise<string | undefined>, isFresh: boolean) => {
    const d = isFresh ? fresh : data;
    return sameLines(await read('result.txt'), top(d), 'result.txt') ?? sameLines(await read('teams.txt'), counts(d), 'teams.txt');
  };

  return {
    primitiveId: PRIMITIVE_ID,
    level: 'L2',
    seed,
    prompt,
    setupFiles: files(data),
    requires: ['bash'],
    check: (ctx) => checkProgram(ctx, { script: 'solution.sh', command: 'bash solution.sh', outputDirs: true, outputs: ['result.txt', 'teams.txt'], freshPrep: `rm -rf '${dir}' && mkdir -p '${dir}'`, freshInputs: files(fresh), judge }),
    reference: programSolution('solution.sh', src(true), 'bash solution.sh', 'cat result.txt teams.txt', 'solution.sh is written and was run; result.txt and teams.txt are there.'),
    nearMiss: programSolution('solution.sh', src(false), 'bash solution.sh', 'cat result.txt teams.txt', 'solution.sh is written and was run; result.txt and teams.txt are there.'),
  };
}

// ── L3: xargs + awk over key=value logs ────────────────────────────────────────────────────

const LEVELS = ['INFO', 'WARN', 'ERROR', 'DEBUG'];

interface L3Data {
  /** path → lines */
  files: Record<string, string[]>;
  manifest: string[];
}

interface Rec {
  level: string;
  service: string;
  latency: number;
}

function l3Data(rng: ProbeRng, dir: string, services: string[], level: string): { data: L3Data; recs: Record<string, Rec[]> } {
  const nFiles = rng.int(4, 6);
  const stems = distinctWords(rng, nFiles, RICH_SOUNDS, { syllables: [1, 2] });
  const files: Record<string, string[]> = {};
  const recs: Record<string, Rec[]> = {};
  stems.forEach((stem) => {
    const path = `${dir}/${stem}.log`;
    const n = rng.int(6, 14);
    const rs: Rec[] = [];
    for (let i = 0; i < n; i++) rs.push({ level: rng.next() < 0.4 ? level : rng.pick(LEVELS), service: rng.pick(services), latency: rng.int(3, 2500) });
    // Every file has lines of the wanted level.
    rs.push({ level, service: rng.pick(services), latency: rng.int(3, 2500) }, { level, service: rng.pick(services), latency: rng.int(3, 2500) });
    const shuffled = rng.shuffle(rs);
    recs[path] = shuffled;
    files[path] = shuffled.map((r) => {
      const ts = `2024-${String(rng.int(1, 12)).padStart(2, '0')}-${String(rng.int(1, 28)).padStart(2, '0')}T${String(rng.int(0, 23)).padStart(2, '0')}:${String(rng.int(0, 59)).padStart(2, '0')}:${String(rng.int(0, 59)).padStart(2, '0')}Z`;
      const kv = rng.shuffle([`level=${r.level}`, `service=${r.service}`, `latency=${r.latency}ms`, `path=/${richWord(rng, 1)}/${richWord(rng, 2)}`]);
      return `${ts} ${kv.join(' ')}`;
    });
  });
  const paths = Object.keys(files);
  const manifest = rng.sample(paths, rng.int(2, paths.length - 1));
  return { data: { files, manifest }, recs };
}

function l3Answer(d: { data: L3Data; recs: Record<string, Rec[]> }, level: string): string[] {
  const agg = new Map<string, { n: number; sum: number }>();
  for (const p of d.data.manifest)
    for (const r of d.recs[p]!) {
      if (r.level !== level) continue;
      const a = agg.get(r.service) ?? { n: 0, sum: 0 };
      a.n++;
      a.sum += r.latency;
      agg.set(r.service, a);
    }
  return [...agg.keys()].sort().map((s) => {
    const a = agg.get(s)!;
    return `${s} ${a.n} ${a.sum} ${(a.sum / a.n).toFixed(2)}`;
  });
}

function judgeL3(got: string | undefined, want: string[]): string | undefined {
  if (got === undefined) return 'result.txt is missing';
  const have = lines(got).map((l) => l.split(/\s+/));
  if (have.length !== want.length) return `result.txt has ${have.length} lines, expected ${want.length}: ${JSON.stringify(want)}`;
  for (let i = 0; i < want.length; i++) {
    const w = want[i]!.split(' ');
    const h = have[i]!;
    const ok = h.length === 4 && h[0] === w[0] && h[1] === w[1] && h[2] === w[2] && /^\d+\.\d\d$/.test(h[3]!) && Math.abs(Number(h[3]) - Number(w[3])) <= 0.0101;
    if (!ok) return `line ${i + 1} is ${JSON.stringify(h.join(' '))}, expected ${JSON.stringify(want[i])}`;
  }
  return undefined;
}

function generateL3(rng: ProbeRng, seed: number): ProbeInstance {
  const dir = rng.pick(['logs', 'var', 'archive', 'collected']);
  const manifestName = rng.pick(['manifest.txt', 'selected.txt', 'include.txt', 'sources.txt']);
  const services = distinctWords(rng, rng.int(3, 5), RICH_SOUNDS, { syllables: [1, 2] });
  const level = rng.pick(LEVELS);
  const given = l3Data(rng, dir, services, level);
  const fresh = l3Data(rng, dir, services, level);
  const files = (d: L3Data) => ({ ...Object.fromEntries(Object.entries(d.files).map(([p, ls]) => [p, ls.join('\n') + '\n'])), [manifestName]: d.manifest.join('\n') + '\n' });
  const want = l3Answer(given, level);
  const wantFresh = l3Answer(fresh, level);

  const prompt = [
    `Lines of the logs in ${dir}/ are a timestamp and key=value fields in no fixed order, e.g.:`,
    given.data.files[given.data.manifest[0]!]![0]!,
    `${manifestName} lists the log files to use, one path per line; ignore the others.`,
    `Write a bash script solution.sh, one pipeline of xargs (feeding the listed files) and awk (parsing, aggregating), that writes result.txt: for each service with level=${level} lines in those files, a line "<service> <count> <total> <average>" (line count, latency sum in ms, mean latency with exactly 2 decimals), sorted by service.`,
    'Run it; it must read the files each run, leaving them unchanged.',
  ].join('\n');

  const awkKeyed = [
    `awk -v want='${level}' '`,
    '  {',
    '    lvl = ""; svc = ""; lat = ""',
    '    for (i = 2; i <= NF; i++) {',
    '      split($i, kv, "=")',
    '      if (kv[1] == "level") lvl = kv[2]',
    '      else if (kv[1] == "service") svc = kv[2]',
    '      else if (kv[1] == "latency") lat = kv[2]',
    '    }',
    '    if (lvl == want) { sub(/ms$/, "", lat); n[svc]++; sum[svc] += lat }',
    '  }',
    '  END { for (s in n) printf "%s %d %d %.2f\\n", s, n[s], sum[s], sum[s] / n[s] }',
    "' \\",
  ];
  const awkPositional = [
    `awk -v want='level=${level}' '`,
    '  $2 == want {',
    '    svc = $3; sub(/^service=/, "", svc)',
    '    lat = $4; gsub(/^latency=|ms$/, "", lat)',
    '    n[svc]++; sum[svc] += lat',
    '  }',
    '  END { for (s in n) printf "%s %d %d %.2f\\n", s, n[s], sum[s], sum[s] / n[s] }',
    "' \\",
  ];
  const src = (keyed: boolean) => ['#!/bin/bash', `xargs cat < ${manifestName} \\`, '  | ' + (keyed ? awkKeyed : awkPositional).join('\n    '), '  | sort > result.txt', ''].join('\n');

  const scriptChecks = (script: string): ProbeCheckpoint[] => [cp('pipeline_tools', /\bxargs\b/.test(script) && /\bawk\b/.test(script), 'the script does not use xargs and awk as asked')];

  return {
    primitiveId: PRIMITIVE_ID,
    level: 'L3',
    seed,
    prompt,
    setupFiles: files(given.data),
    requires: ['bash'],
    check: (ctx) =>
      checkProgram(ctx, {
        script: 'solution.sh',
        command: 'bash solution.sh',
        outputs: ['result.txt'],
        outputDirs: true,
        freshPrep: `rm -rf '${dir}' && mkdir -p '${dir}'`,
        freshInputs: files(fresh.data),
        judge: async (read, isFresh) => judgeL3(await read('result.txt'), isFresh ? wantFresh : want),
        scriptChecks,
      }),
    reference: programSolution('solution.sh', src(true), 'bash solution.sh', 'cat result.txt', 'solution.sh is written and was run; result.txt holds the per-service summary.'),
    nearMiss: programSolution('solution.sh', src(false), 'bash solution.sh', 'cat result.txt', 'solution.sh is written and was run; result.txt holds the per-service summary.'),
  };
}

export const generator = generatorByLevel(PRIMITIVE_ID, {
  L1: 'Write and run a bash script of basic commands (mkdir, grep) that extracts the lines of one log level and their count.',
  L2: 'Write and run a bash script with pipes, redirection and loops that ranks scores across a folder of files and counts per file.',
  L3: 'Write and run a bash pipeline (xargs feeding awk) that aggregates key=value log fields in no fixed order over a manifest of files.',
}, { L1: generateL1, L2: generateL2, L3: generateL3 });
