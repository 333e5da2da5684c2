import { cp, firstFencedBlock, generatorByLevel, solution, type ProbeRng } from '../toolkit.js';
import type { ProbeCheckContext, ProbeCheckpoint, ProbeInstance } from '../types.js';
import { capitalize, DIGITS, randomChars } from '../gen/words.js';

/**
 * gen.regex — the answer is the agent's final text: one Python regular expression. The check
 * runs it with Python's own `re` (pattern and cases passed on stdin as JSON) over generated
 * strings that must and must not match. L1 literals, classes and bounded quantifiers
 * (fullmatch); L2 groups, alternation and anchors (search over whole lines, so unanchored
 * patterns fail); L3 lookaheads (a password rule) or lookbehind + a named group (extraction
 * where the match itself must be only the captured value).
 */

const PRIMITIVE_ID = 'gen.regex';

/** The check reads the pattern from the final reply. */
const REPLY = 'Reply with only the regex.';

// The grader: reads {"pattern", "mode", "group", "cases"} on stdin, prints results as JSON.
const PY_GRADER = [
  'import sys, json, re',
  'd = json.load(sys.stdin)',
  'try:',
  '    rx = re.compile(d["pattern"])',
  'except Exception as e:',
  '    print(json.dumps({"error": "does not compile: " + str(e)}))',
  '    sys.exit(0)',
  'res = []',
  'try:',
  '    for s in d["cases"]:',
  '        if d["mode"] == "search":',
  '            res.append(rx.search(s) is not None)',
  '        elif d["mode"] == "fullmatch":',
  '            res.append(rx.fullmatch(s) is not None)',
  '        else:',
  '            res.append([[m.group(0), m.group(d["group"])] for m in rx.finditer(s)])',
  'except Exception as e:',
  '    print(json.dumps({"error": "fails when applied: " + str(e)}))',
  '    sys.exit(0)',
  'print(json.dumps({"results": res, "groups": list(rx.groupindex.keys())}))',
].join('\n');

type Mode = 'search' | 'fullmatch' | 'extract';

interface Case {
  s: string;
  /** search/fullmatch: should it match; extract: the values expected, in order. */
  want: boolean | string[];
}

// ── reading the reply ──────────────────────────────────────────────────────────────────────

/** The regex in a reply: a fenced block's first line, a lone line, or the first inline code span. */
function extractPattern(reply: string): string {
  const t = reply.trim();
  let p: string;
  const fenced = firstFencedBlock(t);
  const ls = t.split(/\r?\n/).filter((l) => l.trim().length > 0);
  if (fenced !== undefined) p = fenced.split(/\r?\n/).find((l) => l.trim().length > 0) ?? '';
  else if (ls.length <= 1) p = t;
  else p = /`([^`\n]+)`/.exec(t)?.[1] ?? ls[0]!;
  p = p.trim();
  if (/^`[^`]+`$/.test(p)) p = p.slice(1, -1);
  const raw = /^r(["'])([\s\S]*)\1$/.exec(p);
  if (raw) p = raw[2]!;
  const slashes = /^\/([\s\S]+)\/[gimsuy]*$/.exec(p);
  if (slashes) p = slashes[1]!;
  return p;
}

async function runPattern(ctx: ProbeCheckContext, pattern: string, mode: Mode, cases: Case[], group?: string): Promise<{ error?: string; results?: unknown[]; groups?: string[] }> {
  const input = JSON.stringify({ pattern, mode: mode === 'extract' ? 'extract' : mode, group: group ?? 0, cases: cases.map((c) => c.s) });
  // -I -S: the grader needs only the standard library; without the site module python starts in
  // half the time (~14 ms against ~32 ms of CPU), for each of a profile's regex checks.
  const res = await ctx.run(`python3 -I -S -c '${PY_GRADER}'`, { stdin: input, timeoutMs: 10_000 });
  if (res.timedOut) return { error: 'the pattern took too long (catastrophic backtracking?)' };
  if (res.exitCode !== 0) return { error: `python failed: ${res.stderr.slice(0, 200)}` };
  try {
    return JSON.parse(res.stdout) as { error?: string; results?: unknown[]; groups?: string[] };
  } catch {
    return { error: `unreadable grader output: ${res.stdout.slice(0, 120)}` };
  }
}

async function checkRegex(ctx: ProbeCheckContext, mode: Mode, cases: Case[], group?: string): Promise<ProbeCheckpoint[]> {
  const pattern = extractPattern(ctx.finalText);
  if (!pattern) return [cp('regex_valid', false, 'the reply holds no pattern')];
  const r = await runPattern(ctx, pattern, mode, cases, group);
  if (r.error || !Array.isArray(r.results) || r.results.length !== cases.length) return [cp('regex_valid', false, r.error ?? 'no results')];
  const out: ProbeCheckpoint[] = [cp('regex_valid', true)];
  if (mode === 'extract') {
    const hasGroup = (r.groups ?? []).includes(group!);
    out.push(cp('named_group', hasGroup, `the pattern has no group named ${group}`));
    const wrong: string[] = [];
    cases.forEach((c, i) => {
      const got = (r.results![i] as Array<[string, string]>) ?? [];
      const want = c.want as string[];
      const ok = got.length === want.length && got.every(([all, g], j) => all === want[j] && g === want[j]);
      if (!ok) wrong.push(`${JSON.stringify(c.s)} gave ${JSON.stringify(got.map(([a]) => a))}, expected ${JSON.stringify(want)}`);
    });
    out.push(cp('extraction_correct', hasGroup && wrong.length === 0, wrong.slice(0, 3).join('; ')));
    return out;
  }
  const missed = cases.filter((c, i) => c.want === true && r.results![i] !== true).map((c) => c.s);
  const wrongly = cases.filter((c, i) => c.want === false && r.results![i] !== false).map((c) => c.s);
  out.push(cp('matches_valid', missed.length === 0, `does not match: ${missed.slice(0, 4).map((s) => JSON.stringify(s)).join(', ')}`));
  out.push(cp('rejects_invalid', wrongly.length === 0, `wrongly matches: ${wrongly.slice(0, 4).map((s) => JSON.stringify(s)).join(', ')}`));
  return out;
}

function pyEscape(s: string): string {
  return s.replace(/[.^$*+?()[\]{}|\\#&~-]/g, (c) => `\\${c}`);
}

function uniqueCases(cases: Case[]): Case[] {
  const seen = new Set<string>();
  return cases.filter((c) => (seen.has(c.s) ? false : (seen.add(c.s), true)));
}

const UPPER = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
const LOWER = 'abcdefghijklmnopqrstuvwxyz';

// ── L1: literals, classes, quantifiers ─────────────────────────────────────────────────────

function generateL1(rng: ProbeRng, seed: number): ProbeInstance {
  const prefix = randomChars(rng, UPPER, rng.int(2, 3));
  const sep = rng.pick(['-', '_', '.', ':', '#']);
  const lo = rng.int(2, 4);
  const hi = lo + rng.int(1, 3);
  const suffix = rng.pick(['opt-lower', 'two-upper', 'lowers'] as const);
  const thing = rng.pick(['product code', 'ticket id', 'locker label', 'batch number', 'shelf tag']);
  const suffixText = suffix === 'opt-lower' ? 'then optionally one lowercase letter' : suffix === 'two-upper' ? 'then exactly two uppercase letters' : 'then one or more lowercase letters';
  const suffixRe = suffix === 'opt-lower' ? '[a-z]?' : suffix === 'two-upper' ? '[A-Z]{2}' : '[a-z]+';
  const makeSuffix = () => (suffix === 'opt-lower' ? (rng.next() < 0.5 ? '' : randomChars(rng, LOWER, 1)) : suffix === 'two-upper' ? randomChars(rng, UPPER, 2) : randomChars(rng, LOWER, rng.int(1, 4)));
  const valid = (n = rng.int(lo, hi)) => `${prefix}${sep}${randomChars(rng, DIGITS, n)}${makeSuffix()}`;
  // A dot separator is checked against a letter in its place, which an unescaped dot would accept.
  const otherSep = sep === '.' ? 'x' : rng.pick(['x', '0', ' ', '=', sep === '-' ? '_' : '-'].filter((c) => c !== sep));
  const badSuffix = suffix === 'opt-lower' ? randomChars(rng, LOWER, 2) : suffix === 'two-upper' ? randomChars(rng, UPPER, rng.pick([1, 3])) : randomChars(rng, UPPER, 2);
  const otherPrefix = prefix.slice(0, -1) + (prefix.endsWith('Z') ? 'A' : String.fromCharCode(prefix.charCodeAt(prefix.length - 1) + 1));

  const cases = uniqueCases([
    { s: valid(lo), want: true },
    { s: valid(hi), want: true },
    ...Array.from({ length: 5 }, () => ({ s: valid(), want: true })),
    { s: `${prefix}${sep}${randomChars(rng, DIGITS, lo - 1)}${makeSuffix()}`, want: false },
    { s: `${prefix}${sep}${randomChars(rng, DIGITS, hi + 1)}${makeSuffix()}`, want: false },
    { s: `${prefix}${sep}${randomChars(rng, DIGITS, hi + 3)}`, want: false },
    { s: `${prefix.toLowerCase()}${sep}${randomChars(rng, DIGITS, lo)}${makeSuffix()}`, want: false },
    { s: `${otherPrefix}${sep}${randomChars(rng, DIGITS, lo)}${makeSuffix()}`, want: false },
    { s: `${prefix}${randomChars(rng, DIGITS, lo)}${makeSuffix()}`, want: false },
    { s: `${prefix}${otherSep}${randomChars(rng, DIGITS, lo)}${makeSuffix()}`, want: false },
    { s: `${prefix}${sep}${randomChars(rng, DIGITS, lo)}${badSuffix}`, want: false },
    { s: `${prefix}${sep}${randomChars(rng, DIGITS, lo - 1)}${randomChars(rng, LOWER, 1)}${randomChars(rng, DIGITS, 1)}`, want: false },
    { s: ` ${valid()}`, want: false },
  ]);
  const shown = [cases[0]!, cases[2]!, cases.find((c) => c.want === false)!];

  const prompt = [
    `Write a Python regex, used with re.fullmatch, for a ${thing}: the letters ${prefix}, then "${sep}", then ${lo} to ${hi} digits, ${suffixText}.`,
    `E.g. it accepts ${JSON.stringify(shown[0]!.s)} and ${JSON.stringify(shown[1]!.s)}, rejects ${JSON.stringify(shown[2]!.s)}.`,
    REPLY,
  ].join('\n');

  const good = `${prefix}${pyEscape(sep)}\\d{${lo},${hi}}${suffixRe}`;
  const wrong = `${prefix}${pyEscape(sep)}\\d+${suffixRe}`;
  return {
    primitiveId: PRIMITIVE_ID,
    level: 'L1',
    seed,
    prompt,
    setupFiles: {},
    requires: ['python3'],
    check: (ctx) => checkRegex(ctx, 'fullmatch', cases),
    reference: solution({ text: good }),
    nearMiss: solution({ text: wrong }),
  };
}

// ── L2: groups, alternation, anchors ───────────────────────────────────────────────────────

function requestLines(rng: ProbeRng): { prompt: string; cases: Case[]; good: string; wrong: string } {
  const verbs = rng.sample(['GET', 'POST', 'PUT', 'DELETE', 'PATCH'], rng.int(2, 3));
  const others = ['GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'HEAD'].filter((v) => !verbs.includes(v));
  const exts = rng.sample(['json', 'xml', 'csv', 'html', 'txt'], 2);
  const otherExt = ['json', 'xml', 'csv', 'html', 'txt', 'png'].find((e) => !exts.includes(e))!;
  const classes = rng.sample(['2', '3', '4', '5'], 2).sort();
  const badClass = ['1', '2', '3', '4', '5'].find((c) => !classes.includes(c))!;
  const seg = () => randomChars(rng, LOWER + DIGITS, rng.int(1, 6));
  const path = () => Array.from({ length: rng.int(1, 3) }, () => `/${seg()}`).join('');
  const status = () => `${rng.pick(classes)}${randomChars(rng, DIGITS, 2)}`;
  const line = (ext = rng.next() < 0.4) => `${rng.pick(verbs)} ${path()}${ext ? `.${rng.pick(exts)}` : ''} ${status()}`;
  const cases = uniqueCases([
    ...Array.from({ length: 6 }, () => ({ s: line(), want: true })),
    { s: line(true), want: true },
    { s: `${verbs[0]} /${seg()} ${classes[0]}00`, want: true },
    { s: `x ${line()}`, want: false },
    { s: `${line()} ok`, want: false },
    { s: `${line()}0`, want: false },
    { s: `${rng.pick(others)} ${path()} ${status()}`, want: false },
    { s: `${verbs[0]!.toLowerCase()} ${path()} ${status()}`, want: false },
    { s: `${rng.pick(verbs)} ${path()}/ ${status()}`, want: false },
    { s: `${rng.pick(verbs)} /${seg()}//${seg()} ${status()}`, want: false },
    { s: `${rng.pick(verbs)} /${seg().toUpperCase()}A ${status()}`, want: false },
    { s: `${rng.pick(verbs)} ${path()}.${otherExt} ${status()}`, want: false },
    { s: `${rng.pick(verbs)} ${path()} ${badClass}${randomChars(rng, DIGITS, 2)}`, want: false },
    { s: `${rng.pick(verbs)}  ${path()} ${status()}`, want: false },
    { s: `${rng.pick(verbs)} ${status()}`, want: false },
  ]);
  const prompt = [
    `Write a Python regex for request log lines of exactly this form: a method (${verbs.join(', ')}), one space, a path of one or more segments (each "/" plus one or more lowercase letters or digits), optionally ending in ${exts.map((e) => `.${e}`).join(' or ')}, one space, a 3-digit status code starting with ${classes.join(' or ')}.`,
    `It is applied with re.search to each line and must match only lines that are exactly this. E.g. it matches ${JSON.stringify(cases[0]!.s)}, not ${JSON.stringify(cases.find((c) => c.s.startsWith('x '))!.s)}.`,
    REPLY,
  ].join('\n');
  const core = `(${verbs.join('|')}) (/[a-z0-9]+)+(\\.(${exts.join('|')}))? [${classes.join('')}]\\d{2}`;
  return { prompt, cases, good: `^${core}$`, wrong: core };
}

function versionTags(rng: ProbeRng): { prompt: string; cases: Case[]; good: string; wrong: string } {
  const labels = rng.sample(['alpha', 'beta', 'rc', 'dev', 'pre'], rng.int(2, 3));
  const other = ['alpha', 'beta', 'rc', 'dev', 'pre', 'gamma'].find((l) => !labels.includes(l))!;
  const vRequired = rng.next() < 0.5;
  const n = () => String(rng.int(0, 99));
  const core = () => `${n()}.${n()}.${n()}`;
  const tag = (pre = rng.next() < 0.5) => `${vRequired || rng.next() < 0.5 ? 'v' : ''}${core()}${pre ? `-${rng.pick(labels)}${rng.int(1, 12)}` : ''}`;
  const cases = uniqueCases([
    ...Array.from({ length: 6 }, () => ({ s: tag(), want: true })),
    { s: tag(true), want: true },
    { s: `v${core()}`, want: true },
    ...(vRequired ? [{ s: core(), want: false }] : [{ s: core(), want: true }]),
    { s: `release ${tag()}`, want: false },
    { s: `${tag(false)} final`, want: false },
    { s: `v${n()}.${n()}`, want: false },
    { s: `v${core()}.${n()}`, want: false },
    { s: `v${core()}-${other}${rng.int(1, 9)}`, want: false },
    { s: `v${core()}-${labels[0]}`, want: false },
    { s: `v${core()}-${labels[0]}${rng.int(1, 9)}x`, want: false },
    { s: `V${core()}`, want: false },
    { s: `v${core()}-${labels[0]!.toUpperCase()}${rng.int(1, 9)}`, want: false },
  ]);
  const prompt = [
    `Write a Python regex for release tags: ${vRequired ? 'a lowercase "v"' : 'an optional lowercase "v"'}, three dot-separated numbers (MAJOR.MINOR.PATCH, one or more digits each), then optionally a hyphen, a label (${labels.join(' or ')}) and one or more digits (e.g. -${labels[0]}2).`,
    `It is applied with re.search to each string and must match only strings that are exactly a tag. E.g. it matches ${JSON.stringify(cases[0]!.s)}, not ${JSON.stringify(cases.find((c) => c.s.startsWith('release '))!.s)}.`,
    REPLY,
  ].join('\n');
  const body = `${vRequired ? 'v' : 'v?'}\\d+\\.\\d+\\.\\d+(-(${labels.join('|')})\\d+)?`;
  return { prompt, cases, good: `^${body}$`, wrong: body };
}

function generateL2(rng: ProbeRng, seed: number): ProbeInstance {
  const t = rng.next() < 0.5 ? requestLines(rng) : versionTags(rng);
  return {
    primitiveId: PRIMITIVE_ID,
    level: 'L2',
    seed,
    prompt: t.prompt,
    setupFiles: {},
    requires: ['python3'],
    check: (ctx) => checkRegex(ctx, 'search', t.cases),
    reference: solution({ text: t.good }),
    nearMiss: solution({ text: t.wrong }),
  };
}

// ── L3: lookarounds, named groups ──────────────────────────────────────────────────────────

function passwordRule(rng: ProbeRng, seed: number): ProbeInstance {
  const min = rng.int(8, 12);
  const max = min + rng.int(4, 12);
  const specials = rng.sample(['!', '@', '#', '$', '%', '&', '*', '?'], rng.int(3, 4));
  const notSpecial = ['!', '@', '#', '$', '%', '&', '*', '?', '^', '~', '+'].find((c) => !specials.includes(c))!;
  const user = `${randomChars(rng, 'bcdfghklmnprstvz', 1)}${randomChars(rng, 'aeiou', 1)}${randomChars(rng, 'bcdfghklmnprstvz', 1)}${randomChars(rng, 'aeiou', 1)}${randomChars(rng, 'lnrst', 1)}`;
  const filler = (n: number) => randomChars(rng, 'abcdefghijkmnpqrstuvwxyz', n);
  // A password of length n: filler with the required kinds of character inserted, then `extra` as one block.
  const make = (n: number, parts = { upper: true, digit: true, special: true }, extra = '') => {
    const singles = [parts.upper ? randomChars(rng, UPPER, 1) : '', parts.digit ? randomChars(rng, DIGITS, 1) : '', parts.special ? rng.pick(specials) : ''].join('');
    const base = filler(Math.max(0, n - singles.length - extra.length)).split('');
    for (const c of singles) base.splice(rng.int(0, base.length), 0, c);
    base.splice(rng.int(0, base.length), 0, extra);
    return base.join('');
  };
  const allowed = new Set([...UPPER, ...LOWER, ...DIGITS, ...specials]);
  const isValid = (pw: string) =>
    pw.length >= min && pw.length <= max && [...pw].every((c) => allowed.has(c)) && /[A-Z]/.test(pw) && /\d/.test(pw) && specials.some((c) => pw.includes(c)) && !pw.includes(user);
  const drafts = [
    make(min),
    make(max),
    ...Array.from({ length: 5 }, () => make(rng.int(min, max))),
    make(min, undefined, user.slice(0, 4)),
    make(min - 1),
    make(max + 1),
    make(rng.int(min, max), { upper: false, digit: true, special: true }),
    make(rng.int(min, max), { upper: true, digit: false, special: true }),
    make(rng.int(min, max), { upper: true, digit: true, special: false }),
    make(rng.int(min, max), { upper: true, digit: true, special: false }, notSpecial),
    make(rng.int(min + 1, max), undefined, ' '),
    make(rng.int(min + user.length, max), undefined, user),
    make(max, undefined, user),
  ];
  // The truth of every case comes from the rule itself, never from how the case was built.
  const cases = uniqueCases(drafts.map((d) => ({ s: d, want: isValid(d) })));
  const cls = `[A-Za-z0-9${specials.map((c) => `\\${c}`).join('')}]`;
  const prompt = [
    `Write a Python regex validating passwords of user "${user}". Valid means:`,
    `- ${min} to ${max} characters, only letters, digits and the specials ${specials.join(' ')};`,
    `- at least one uppercase letter, one digit and one of ${specials.join(' ')};`,
    `- not containing "${user}" anywhere (lowercase, as written).`,
    `Use lookaheads for the conditions; it is used with re.fullmatch. ${REPLY}`,
  ].join('\n');
  const good = `(?=.*[A-Z])(?=.*\\d)(?=.*[${specials.map((c) => `\\${c}`).join('')}])(?!.*${user})${cls}{${min},${max}}`;
  const wrong = `(?=.*[A-Z])(?=.*\\d)(?=.*[${specials.map((c) => `\\${c}`).join('')}])${cls}{${min},${max}}`;
  return { primitiveId: PRIMITIVE_ID, level: 'L3', seed, prompt, setupFiles: {}, requires: ['python3'], check: (ctx) => checkRegex(ctx, 'fullmatch', cases), reference: solution({ text: good }), nearMiss: solution({ text: wrong }) };
}

function referenceExtraction(rng: ProbeRng, seed: number): ProbeInstance {
  const word = rng.pick(['order', 'invoice', 'parcel', 'booking', 'claim']);
  const other = rng.pick(['ticket', 'room', 'page', 'item', 'step'].filter((w) => w !== word));
  const mark = rng.pick(['#', 'no. ', 'nr ']);
  const lo = rng.int(4, 5);
  const hi = lo + rng.int(1, 2);
  const group = rng.pick(['ref', 'num', 'code', 'ident']);
  const id = (n = rng.int(lo, hi)) => `${rng.int(1, 9)}${randomChars(rng, DIGITS, n - 1)}`;
  const filler = () => rng.pick(['please check', 'noted on', 'see also', 'moved to', 'closed after', 'linked with']);
  const cases: Case[] = [];
  for (let i = 0; i < 6; i++) {
    const a = id();
    const b = id();
    const kind = i % 3;
    if (kind === 0) cases.push({ s: `${filler()} ${word} ${mark}${a} and ${other} ${mark}${b}`, want: [a] });
    else if (kind === 1) cases.push({ s: `${word} ${mark}${a}, ${filler()} ${word} ${mark}${b}.`, want: [a, b] });
    else cases.push({ s: `${filler()} ${other} ${mark}${a}`, want: [] });
  }
  const shortId = id(lo - 1);
  const longId = id(hi + 1);
  const okId = id();
  cases.push(
    { s: `${word} ${mark}${shortId} is too short`, want: [] },
    { s: `${word} ${mark}${longId} is too long`, want: [] },
    { s: `re${word} ${mark}${id()} does not count`, want: [] },
    { s: `${word}${mark}${id()} has no space`, want: [] },
    { s: `${capitalize(word)} ${mark}${id()} is capitalised`, want: [] },
    { s: `(${word} ${mark}${okId})`, want: [okId] },
    { s: `${word} ${id()} has no mark`, want: [] },
  );
  const after = mark.endsWith(' ') ? `"${word} ${mark.trim()}" and a space` : `"${word} ${mark}"`;
  const prompt = [
    `Write a Python regex finding ${word} numbers in text: ${lo} to ${hi} digits (not part of a longer digit run) right after ${after}, where "${word}" is a lowercase whole word (so not "re${word}"). E.g. "${word} ${mark}${okId}" gives ${okId}.`,
    `For re.finditer: capture the number in a named group "${group}", and the whole match must be only the number (use lookbehind).`,
    REPLY,
  ].join('\n');
  const good = `(?<=\\b${word} ${pyEscape(mark)})(?P<${group}>\\d{${lo},${hi}})(?!\\d)`;
  const wrong = `(?<=${word} ${pyEscape(mark)})(?P<${group}>\\d{${lo},${hi}})(?!\\d)`;
  return { primitiveId: PRIMITIVE_ID, level: 'L3', seed, prompt, setupFiles: {}, requires: ['python3'], check: (ctx) => checkRegex(ctx, 'extract', cases, group), reference: solution({ text: good }), nearMiss: solution({ text: wrong }) };
}

function generateL3(rng: ProbeRng, seed: number): ProbeInstance {
  return rng.next() < 0.5 ? passwordRule(rng, seed) : referenceExtraction(rng, seed);
}

export const generator = generatorByLevel(PRIMITIVE_ID, {
  L1: 'Write a Python regex of literals, character classes and bounded quantifiers that fully matches a described code format.',
  L2: 'Write an anchored Python regex with groups and alternation that matches only whole lines of a described format under re.search.',
  L3: 'Write a Python regex with lookaheads (a password rule) or lookbehind plus a named group (extracting numbers after a keyword).',
}, { L1: generateL1, L2: generateL2, L3: generateL3 });
