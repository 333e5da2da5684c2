import { lineBudget } from '../../src/engine/compiler/guard.js';
import { levelOrder, type Level, type ProbeLevel } from '../../src/engine/primitives/catalog.js';
import type { SimPolicy, SimReply, SimRequest } from '../../src/engine/sim/index.js';

/**
 * A compiler model for the simulator that answers every compiler call from what the call shows
 * it, with fixed rules where an LLM would use judgement:
 *
 * - pass 1's requirements (`skill_requirements`): the skill's text mapped to primitives and
 *   levels by what it asks for (web fetching, file reading and writing, shell/JS/Python code,
 *   structured formats, arithmetic, procedures…), each with the line that demands it as evidence;
 * - the rewrite agent: one short note per gap it was told about (the prompt's degradation
 *   guidance for that primitive, skipped when there is none), after the paragraph, list item,
 *   table or code block holding the line the gap's evidence quotes, at most three places, no line
 *   removed — headings, code blocks and front matter untouched;
 * - pass 2: the programs the skill's shell code, inline commands and front-matter `bins` name, and
 *   the imports of its Python code (a dependency in a section that calls its tools optional is
 *   marked so); a script in the prompt's template that checks each one with its given command;
 *   a repair that rewrites it with each install guarded by its package manager being present;
 * - pass 3: the skill's workflow (its longest numbered list) as a chain of steps, and a DLP group
 *   for each step over a collection ("read each file", "from relevant URLs").
 *
 * The compiler model id (`sim/<behaviour>`) picks how the rewrite agent behaves:
 * - `careful`: as above;
 * - `careless`: drops the skill's last heading, and repeats the mistake in its repair turn;
 * - `careless-learns`: drops the last heading, and writes the careful rewrite in its repair turn;
 * - `verbose`: pads the careful rewrite to exactly the guard's line budget (probing the limit).
 */

const BEHAVIOURS = ['careful', 'careless', 'careless-learns', 'verbose'] as const;
export type Behaviour = (typeof BEHAVIOURS)[number];

const COST_USD = 0.0004;

export function compilerModelPolicy(): SimPolicy {
  return { name: 'compiler-model', respond: answer };
}

function answer(req: SimRequest): SimReply {
  const tools = req.tools.map((t) => t.name);
  const first = firstUserText(req);
  if (tools.includes('skill_requirements')) return call('skill_requirements', requirements(first));
  if (tools.includes('report_dependencies')) return call('report_dependencies', { dependencies: dependencies(first) });
  if (tools.includes('pass3_parallel_plan')) return call('pass3_parallel_plan', parallelPlan(first));
  if (tools.includes('write_file')) return rewriteTurn(req, behaviourOf(req.model));
  if (tools.length === 0 && first.startsWith('Write a bash script')) return say(envScript(jsonAfter<DepEntry[]>(first, 'Dependencies:\n', '\n\nPlatform:')));
  if (tools.length === 0 && first.startsWith('Attempt ')) return say(repairedScript(first));
  return { kind: 'fault', fault: { type: 'bad_request', message: `the compiler model does not know this request (tools: ${tools.join(', ') || 'none'})` } };
}

const call = (name: string, args: unknown): SimReply => ({ kind: 'message', toolCalls: [{ name, arguments: args as Record<string, unknown> }], stopReason: 'tool_use', costUsd: COST_USD });
const say = (text: string): SimReply => ({ kind: 'message', text, costUsd: COST_USD });

function behaviourOf(model: string): Behaviour {
  const b = model.slice(model.lastIndexOf('/') + 1);
  if (!(BEHAVIOURS as readonly string[]).includes(b)) throw new Error(`unknown compiler behaviour "${b}" (model ${model})`);
  return b as Behaviour;
}

function firstUserText(req: SimRequest): string {
  const m = req.messages.find((x) => x.role === 'user');
  return m ? m.content : '';
}

/** The body of the first Markdown fence after `marker` (our prompts fence with a run longer than any inside). */
function fencedAfter(text: string, marker: string): string {
  const at = text.indexOf(marker);
  if (at < 0) throw new Error(`prompt has no "${marker.trim()}"`);
  const open = /(`{3,})[\w-]*\n/.exec(text.slice(at + marker.length));
  if (!open) throw new Error(`no fence after "${marker.trim()}"`);
  const start = at + marker.length + open.index + open[0].length;
  const end = text.indexOf(`\n${open[1]}`, start - 1);
  return text.slice(start, end + 1);
}

function jsonAfter<T>(text: string, marker: string, until: string): T {
  const start = text.indexOf(marker) + marker.length;
  return JSON.parse(text.slice(start, text.indexOf(until, start)));
}

// ── reading a skill ─────────────────────────────────────────────────────────────

interface Line {
  text: string;
  /** Inside a fenced block (not the fence lines themselves). */
  code: boolean;
  /** Language of the enclosing fence ('' when none given). */
  lang: string;
  fenceLine: boolean;
  frontMatter: boolean;
}

function scanLines(skill: string): Line[] {
  const out: Line[] = [];
  let inFence = false;
  let lang = '';
  let fm = skill.startsWith('---\n');
  skill.split('\n').forEach((text, i) => {
    if (fm && i > 0 && text === '---') {
      out.push({ text, code: false, lang: '', fenceLine: false, frontMatter: true });
      fm = false;
      return;
    }
    if (text.startsWith('```')) {
      inFence = !inFence;
      lang = inFence ? text.slice(3).trim().toLowerCase() : '';
      out.push({ text, code: false, lang: '', fenceLine: true, frontMatter: false });
      return;
    }
    out.push({ text, code: inFence, lang, fenceLine: false, frontMatter: fm });
  });
  return out;
}

const isHeading = (l: Line) => !l.code && !l.frontMatter && /^#{1,6}\s+/.test(l.text);
const isShell = (l: Line) => l.code && ['bash', 'sh', 'shell'].includes(l.lang);
const collapse = (s: string) => s.replace(/\s+/g, ' ').trim();

// ── pass 1: requirements ────────────────────────────────────────────────────────

interface Rule {
  purpose: string;
  primitive: string;
  /** Lines that show the demand. */
  find: (lines: Line[]) => Line[];
  level: (hits: Line[], lines: Line[]) => ProbeLevel;
}

const PURPOSES: Record<string, string> = {
  'fetch-web-data': 'Get the data the task needs from web pages and APIs',
  'read-inputs': 'Read the files the task works on',
  'write-code': 'Write the code or commands the skill relies on',
  'compute-results': 'Work out the numbers and decisions the result depends on',
  'produce-output': 'Produce the result in the required format and save it',
  'write-prose': 'Write text in the requested voice',
  'follow-workflow': 'Carry out the workflow the skill lays down, within its rules',
  'review-code': 'Analyse code or material for problems',
};

/** Body text (front matter — name, homepage… — states no demand). */
const prose = (re: RegExp) => (lines: Line[]) => lines.filter((l) => !l.code && !l.fenceLine && !l.frontMatter && re.test(l.text));
const fixed = (level: ProbeLevel) => () => level;
const anyProse = (lines: Line[], re: RegExp) => lines.some((l) => !l.code && re.test(l.text));

const RULES: Rule[] = [
  { purpose: 'fetch-web-data', primitive: 'tool.web', find: prose(/\bweb_fetch\b|`https?:\/\/[^`]+`|\bfetch\b[^.]*\b(urls?|apis?|pages?|html)\b/i), level: fixed('L2') },
  {
    purpose: 'read-inputs',
    primitive: 'tool.file.read',
    find: prose(/\bread\b.*\b(files?|csv|logs?|file\(s\))\b/i),
    level: (hits) => (hits.some((h) => /\beach\b|\ball\b|\bfiles\b/i.test(h.text)) ? 'L2' : 'L1'),
  },
  {
    purpose: 'write-code',
    primitive: 'gen.code.shell',
    find: (lines) => lines.filter((l) => isShell(l) && l.text.trim() !== '' && !l.text.trim().startsWith('#')),
    level: (hits) => (hits.some((h) => h.text.includes('|') && /\b(sed|awk|xargs)\b/.test(h.text)) ? 'L3' : hits.some((h) => /\||\bfor\b|>/.test(h.text)) ? 'L2' : 'L1'),
  },
  {
    purpose: 'write-code',
    primitive: 'gen.code.javascript',
    find: (lines) => [...lines.filter((l) => l.code && ['js', 'javascript', 'mjs'].includes(l.lang)), ...prose(/`[^`]*\b(Math\.\w+|parseFloat|JSON\.parse)\(/)(lines)],
    level: (hits) => (hits.some((h) => h.code) ? 'L2' : 'L1'),
  },
  {
    purpose: 'write-code',
    primitive: 'gen.code.python',
    find: (lines) => lines.filter((l) => l.code && (['python', 'py'].includes(l.lang) || /^\s*(import|from)\s+\w+/.test(l.text))),
    level: fixed('L2'),
  },
  {
    purpose: 'write-code',
    primitive: 'gen.regex',
    find: (lines) => [...prose(/\bregex\b|\bregular expressions?\b/i)(lines), ...lines.filter((l) => l.code && /\.replace\(\/|new RegExp|grep -E/.test(l.text))],
    level: fixed('L2'),
  },
  { purpose: 'write-code', primitive: 'gen.code.sql', find: prose(/\bSQL\b/), level: fixed('L1') },
  { purpose: 'compute-results', primitive: 'reason.arithmetic', find: prose(/\b(sum|total|calculate|average|cents|count)\w*\b/i), level: fixed('L2') },
  { purpose: 'compute-results', primitive: 'reason.logic', find: prose(/\bin this order\b|\bmeans\b|\bif\b[^.]*\b(then|→)/i), level: fixed('L2') },
  { purpose: 'compute-results', primitive: 'follow.delegation', find: prose(/\bwith a script\b|\breference implementation\b|\bcompute with\b/i), level: fixed('L2') },
  { purpose: 'produce-output', primitive: 'tool.file.write', find: prose(/\b(write|save)s?\b[^.]*\b(files?|json|workspace|report|results|\w+\.(txt|md|json|ics))\b/i), level: fixed('L2') },
  {
    purpose: 'produce-output',
    primitive: 'gen.text.structured',
    find: prose(/\bJSON\b|\bYAML\b|iCalendar|\.ics\b|\btoml\b/),
    level: (_, lines) => (anyProse(lines, /\bstrict(ly)?\b|\bexact(ly)?\b/i) ? 'L3' : 'L2'),
  },
  {
    purpose: 'produce-output',
    primitive: 'follow.format',
    find: prose(/\b(template|layout|format|structure)\b/i),
    level: (_, lines) => (anyProse(lines, /\bexact(ly)?\b|\bnot a suggestion\b|\bstrict(ly)?\b/i) ? 'L3' : 'L2'),
  },
  { purpose: 'produce-output', primitive: 'gen.text.long', find: prose(/\breports?\b|\bblog posts?\b|\barticles?\b|\bdigests?\b/i), level: fixed('L2') },
  { purpose: 'write-prose', primitive: 'gen.text.prose', find: prose(/\b(tone|voice|prose|paragraphs?)\b/i), level: fixed('L2') },
  { purpose: 'write-prose', primitive: 'follow.style', find: prose(/\b(style|tone|voice|persona|contractions)\b/i), level: (hits) => (hits.length >= 4 ? 'L3' : 'L2') },
  {
    purpose: 'follow-workflow',
    primitive: 'follow.procedure',
    find: prose(/^\s*\d+\.\s/),
    level: (_, lines) => {
      const n = longestNumberedList(lines).length;
      return n >= 8 || anyProse(lines, /\bin this order\b/i) ? 'L3' : n >= 5 ? 'L2' : 'L1';
    },
  },
  {
    purpose: 'follow-workflow',
    primitive: 'follow.constraint',
    find: prose(/\b(never|always|must|do not|don't|no other)\b/i),
    level: (hits) => (hits.length >= 6 ? 'L3' : hits.length >= 3 ? 'L2' : 'L1'),
  },
  { purpose: 'follow-workflow', primitive: 'reason.planning', find: prose(/\b(plan|route|routing|classif\w*|decompos\w*)\b/i), level: fixed('L2') },
  { purpose: 'follow-workflow', primitive: 'tool.call.batch', find: prose(/\bparallel\b/i), level: fixed('L2') },
  { purpose: 'follow-workflow', primitive: 'tool.exec', find: (lines) => [...prose(/`(bash|node|python3?|sh) [^`]+`|\bexec\b/)(lines), ...lines.filter(isShell).slice(0, 1)], level: fixed('L2') },
  { purpose: 'review-code', primitive: 'reason.analysis', find: prose(/\b(review|analy[sz]\w*|cross-reference|bugs?|vulnerabilit\w*)\b|代码审查|漏洞|复杂度/i), level: fixed('L2') },
];

/** Evidence: the demanding line as written (a compiler model quotes its source). */
const evidence = (l: Line) => collapse(l.text).slice(0, 200);

function requirements(prompt: string) {
  const skillName = /Read the skill "([^"]+)"/.exec(prompt)?.[1] ?? 'skill';
  const lines = scanLines(fencedAfter(prompt, '## The skill\n'));
  const byPurpose = new Map<string, Array<{ id: string; minLevel: ProbeLevel; evidence: string }>>();
  for (const rule of RULES) {
    const hits = rule.find(lines).filter((l) => collapse(l.text) !== '');
    if (hits.length === 0) continue;
    const list = byPurpose.get(rule.purpose) ?? [];
    list.push({ id: rule.primitive, minLevel: rule.level(hits, lines), evidence: evidence(hits[0]!) });
    byPurpose.set(rule.purpose, list);
  }
  if (byPurpose.size === 0) {
    const first = lines.find((l) => !l.code && !l.frontMatter && collapse(l.text) !== '' && !isHeading(l));
    byPurpose.set('follow-workflow', [{ id: 'follow.procedure', minLevel: 'L1', evidence: first ? evidence(first) : skillName }]);
  }
  // The skill itself allows answering without the web ("if web access is unavailable…").
  const offline = lines.find((l) => !l.code && /\bif web access is unavailable\b/i.test(l.text));
  return {
    skillName,
    purposes: [...byPurpose].map(([id, primitives]) => ({
      id,
      description: PURPOSES[id]!,
      currentPath: { primitives },
      alternativePaths:
        id === 'fetch-web-data' && offline
          ? [{ primitives: [{ id: 'gen.text.prose', minLevel: 'L2', evidence: evidence(offline) }], note: 'answer from what the model knows and say the data may be out of date' }]
          : [],
    })),
  };
}

function longestNumberedList(lines: Line[]): Line[] {
  let best: Line[] = [];
  let run: Line[] = [];
  for (const l of lines) {
    if (!l.code && /^\d+\.\s/.test(l.text)) run.push(l);
    else if (l.code || l.fenceLine || !/^\s/.test(l.text) || l.text.trim() === '') {
      if (run.length > best.length) best = run;
      run = [];
    }
  }
  return run.length > best.length ? run : best;
}

// ── pass 1: the rewrite agent ───────────────────────────────────────────────────

interface Gap {
  primitive: string;
  required: Level;
  has: Level;
  type: string;
  purpose: string;
  use: string;
}

interface Rewrite {
  content: string;
  edits: string[];
}

function rewriteTurn(req: SimRequest, behaviour: Behaviour): SimReply {
  const prompt = firstUserText(req);
  const careful = carefulRewrite(prompt);
  const last = req.messages.at(-1)!;
  if (last.role === 'tool') {
    return say(careful.edits.length ? careful.edits.join('\n') : 'Rewrote SKILL.md.');
  }
  const repairing = last.role === 'user' && req.messages.length > 1;
  switch (behaviour) {
    case 'careful':
      return careful.edits.length ? call('write_file', { path: 'SKILL.md', content: careful.content }) : say('No gap maps to a local edit with a concrete simpler wording; leaving the skill unchanged.');
    case 'careless':
      return call('write_file', { path: 'SKILL.md', content: dropLastHeading(careful.content) });
    case 'careless-learns':
      return call('write_file', { path: 'SKILL.md', content: repairing ? careful.content : dropLastHeading(careful.content) });
    case 'verbose':
      return call('write_file', { path: 'SKILL.md', content: padToBudget(fencedAfter(prompt, '## Current SKILL.md\n'), careful) });
  }
}

/** One note per gap (guidance of the step toward the model's level) near the line its evidence quotes; at most 3 places. */
function carefulRewrite(prompt: string): Rewrite {
  const skill = fencedAfter(prompt, '## Current SKILL.md\n');
  const lines = scanLines(skill);
  // Missing capabilities first, then the larger shortfall (as the prompt asks).
  const order = (g: Gap) => (g.type === 'missing' ? 0 : 1) * 10 - (levelOrder(g.required) - levelOrder(g.has));
  const gaps = gapRows(prompt).sort((a, b) => order(a) - order(b));
  const notes = new Map<number, string[]>();
  const edits: string[] = [];
  const done = new Set<string>();
  for (const g of gaps) {
    if (done.has(g.primitive)) continue;
    const advice = guidanceFor(prompt, g);
    const place = anchor(lines, g.use);
    if (!advice || !place) continue;
    const { at, pad } = place;
    if (!notes.has(at) && notes.size >= 3) continue;
    done.add(g.primitive);
    notes.set(at, [...(notes.get(at) ?? []), `${pad}For the target model (${g.primitive}, ${g.required}→${g.has}): ${advice}`]);
    edits.push(`after line ${at + 1}: ${g.primitive} (${g.purpose}) — added a note with a simpler way`);
  }
  const out = lines.map((l) => l.text);
  for (const at of [...notes.keys()].sort((a, b) => b - a)) out.splice(at + 1, 0, ...notes.get(at)!);
  return { content: out.join('\n'), edits };
}

function gapRows(prompt: string): Gap[] {
  const start = prompt.indexOf('## Capability gaps');
  const rows: Gap[] = [];
  for (const line of prompt.slice(start).split('\n').slice(4)) {
    if (!line.startsWith('| ')) break;
    const cells = line.slice(2, -2).split(/ (?<!\\)\| /).map((c) => c.replace(/\\\|/g, '|'));
    const [primitive, required, has, type, purpose, use] = cells as [string, Level, Level, string, string, string];
    rows.push({ primitive, required, has, type, purpose, use: use.replace(/…$/, '') });
  }
  return rows;
}

/** The degradation guidance the prompt gives for the step down toward what the model has. */
function guidanceFor(prompt: string, g: Gap): string | undefined {
  const section = prompt.slice(prompt.indexOf(`### ${g.primitive}: `));
  const guidance = section.slice(section.indexOf('#### Degradation guidance'), section.indexOf('#### Levels'));
  const step = levelOrder(g.has) <= 1 && levelOrder(g.required) >= 2 ? 'L2->L1' : 'L3->L2';
  const text = new RegExp(`^- ${step}: (.*)$`, 'm').exec(guidance)?.[1];
  return text && !text.startsWith('no way to ask for less is known') ? text : undefined;
}

const LIST_ITEM = /^(\s*)(\d+\.|[-*])\s/;

/**
 * Where a note about `use` goes: after the quoted line's paragraph, list item, table or code
 * block (never inside one), indented to continue a list item.
 */
function anchor(lines: Line[], use: string): { at: number; pad: string } | undefined {
  if (!use) return undefined;
  let at = lines.findIndex((l) => collapse(l.text).includes(use));
  if (at < 0) return undefined;
  const item = LIST_ITEM.exec(lines[at]!.text);
  const pad = item ? item[1]! + ' '.repeat(item[2]!.length + 1) : '';
  while (lines[at]!.code) at++;
  const l = lines[at]!;
  if (l.fenceLine || isHeading(l)) return { at, pad: '' };
  const table = l.text.startsWith('|');
  const continues = (n: Line | undefined) =>
    !!n && n.text.trim() !== '' && !n.code && !n.fenceLine && !isHeading(n) && n.text.startsWith('|') === table && !LIST_ITEM.test(n.text) && (!item || /^\s/.test(n.text));
  while (continues(lines[at + 1])) at++;
  return { at, pad: table ? '' : pad };
}

function dropLastHeading(content: string): string {
  const lines = scanLines(content);
  const last = lines.map((l, i) => (isHeading(l) ? i : -1)).filter((i) => i >= 0).at(-1);
  if (last === undefined) throw new Error('the skill has no heading to drop');
  return lines.filter((_, i) => i !== last).map((l) => l.text).join('\n');
}

/** The careful rewrite plus reminder lines up to exactly the number of added lines the guard allows. */
function padToBudget(original: string, careful: Rewrite): string {
  const originalLines = original.split('\n').length;
  const lines = careful.content.split('\n');
  const room = lineBudget(originalLines) - (lines.length - originalLines);
  const at = lines.findIndex((l) => l.startsWith('For the target model') || /^\s+For the target model/.test(l));
  const filler = Array.from({ length: room }, (_, i) => `Reminder ${i + 1}: keep each step small and check its result before the next one.`);
  lines.splice(at >= 0 ? at + 1 : lines.length, 0, ...filler);
  return lines.join('\n');
}

// ── pass 2: dependencies and env-setup.sh ───────────────────────────────────────

const SHELL_WORDS = new Set(['export', 'cd', 'set', 'echo', 'source', 'if', 'then', 'else', 'fi', 'for', 'do', 'done', 'while', 'exit', 'return', 'local', 'read', 'test', 'true', 'false', 'printf', 'eval', 'exec', 'alias', 'case', 'esac']);
const COMMAND = /^[a-z][a-z0-9._-]*$/;

interface Dep {
  name: string;
  type: 'system' | 'pip';
  required: boolean;
  source: 'shell-command' | 'python-import' | 'comment' | 'inferred';
  confidence: number;
  pythonModules?: string[];
}

/** The programs the skill's code runs and the packages its Python imports, from the SKILL.md and the bundle's scripts. */
function dependencies(prompt: string): Dep[] {
  const files = prompt.split(/^--- (.+) ---$/m);
  const deps = new Map<string, Dep>();
  const add = (d: Dep) => deps.set(`${d.type}:${d.name}`, deps.get(`${d.type}:${d.name}`) ?? d);
  for (let i = 1; i < files.length; i += 2) {
    const rel = files[i]!;
    const text = files[i + 1]!.replace(/^\n/, '');
    const lines = rel.endsWith('.sh') ? text.split('\n').map((text) => ({ text, code: true, lang: 'sh', fenceLine: false, frontMatter: false })) : scanLines(text);
    const optional = optionalSections(lines);
    lines.forEach((l, at) => {
      const commands = isShell(l) ? shellCommands(l.text) : !l.code ? inlineCommands(l.text) : [];
      for (const name of commands) add({ name, type: 'system', required: !optional(at), source: 'shell-command', confidence: 0.8 });
      if (l.code && ['js', 'javascript', 'mjs'].includes(l.lang)) add({ name: 'node', type: 'system', required: true, source: 'inferred', confidence: 0.7 });
      const imp = l.code ? /^\s*(?:import|from)\s+([A-Za-z_]\w*)/.exec(l.text) : null;
      if (imp && l.lang.startsWith('py')) add({ name: imp[1]!, type: 'pip', required: true, source: 'python-import', confidence: 0.9, pythonModules: [imp[1]!] });
    });
    const bins = /^ {6}bins:\n((?: {8}- .+\n)+)/m.exec(text);
    for (const b of bins?.[1]!.match(/- (.+)/g) ?? []) add({ name: b.slice(2).trim(), type: 'system', required: true, source: 'comment', confidence: 0.9 });
  }
  return [...deps.values()];
}

/** First word of each command of a shell line (pipes, `&&`, `;`), builtins left out. */
function shellCommands(line: string): string[] {
  const code = line.replace(/#.*$/, '');
  return code
    .split(/\|\|?|&&|;/)
    .map((part) => part.trim().split(/\s+/)[0] ?? '')
    .filter(isProgram);
}

/** A program to install: not a shell builtin, not one of the skill's own scripts. */
const isProgram = (w: string) => COMMAND.test(w) && !SHELL_WORDS.has(w) && !/\.(sh|py|js|mjs)$/.test(w);

/** `cmd arg…` in inline code. */
function inlineCommands(text: string): string[] {
  return [...text.matchAll(/`([^`]+)`/g)]
    .map((m) => m[1]!.trim().split(/\s+/))
    .filter((w) => w.length > 1 && isProgram(w[0]!) && /^(-{1,2}\w[\w-]*|[\w~.\/$<][^=]*)$/.test(w[1]!))
    .map((w) => w[0]!);
}

/** Lines of a section (between headings) that says its tools are optional. */
function optionalSections(lines: Line[]): (at: number) => boolean {
  const sectionOf: number[] = [];
  const optional = new Set<number>();
  let section = 0;
  lines.forEach((l, i) => {
    if (isHeading(l)) section++;
    sectionOf[i] = section;
    if (!l.code && /\boptional\b|\bif available\b/i.test(l.text)) optional.add(section);
  });
  return (at) => optional.has(sectionOf[at]!);
}

interface DepEntry {
  name: string;
  type: string;
  checkCommand: string;
  installCommand?: string;
  required: boolean;
}

/** The prompt's template, one block per dependency with its own check and install commands. */
function envScript(deps: DepEntry[]): string {
  const blocks = deps.map((d) => {
    if (d.type === 'service') return `# --- ${d.name} (service) ---\nif ${d.checkCommand} >/dev/null 2>&1; then\n  log "${d.name}: reachable"\nelse\n  warn "${d.name}: not reachable; start it before using the skill"\nfi`;
    const missing = d.required
      ? `  log "${d.name}: installing"\n  ${d.installCommand ?? 'false'} || { warn "${d.name}: install failed"; FAILED=$((FAILED + 1)); }`
      : `  warn "${d.name}: not installed (optional)"`;
    return `# --- ${d.name} (${d.type}) ---\nif ${d.checkCommand} >/dev/null 2>&1; then\n  log "${d.name}: already present"\nelse\n${missing}\nfi`;
  });
  return [
    '```bash',
    '#!/bin/bash',
    '# Prepares this machine for the skill. Safe to run again: everything is checked before it is installed.',
    'set -euo pipefail',
    '',
    `log() { printf '[env-setup] %s\\n' "$*"; }`,
    `warn() { printf '[env-setup] WARNING: %s\\n' "$*" >&2; }`,
    '',
    'FAILED=0',
    '',
    ...blocks.flatMap((b) => [b, '']),
    'if [ "$FAILED" -gt 0 ]; then',
    '  warn "$FAILED dependencies could not be installed"',
    '  exit 1',
    'fi',
    'log "all dependencies present"',
    '```',
  ].join('\n');
}

/** A repair: the script rewritten from the dependency list, each install run only when its package manager exists. */
function repairedScript(prompt: string): string {
  const deps = jsonAfter<DepEntry[]>(prompt, '\n\nDependencies:\n', '\n\nPlatform:');
  return envScript(
    deps.map((d) => {
      const manager = d.installCommand?.split(/\s+/).find((w) => COMMAND.test(w) && w !== 'sudo');
      return d.installCommand && manager ? { ...d, installCommand: `{ command -v ${manager} >/dev/null 2>&1 && ${d.installCommand}; }` } : d;
    }),
  );
}

// ── pass 3: the workflow ────────────────────────────────────────────────────────

/** A step over a collection of independent items: "read each file", "fetch from relevant URLs". */
const COLLECTION = /\b(each|every) (file|source|url|page|item|record|document|row)\b|\b(relevant|multiple|several) (files|sources|urls|pages|items|records|documents|rows)\b/i;

function parallelPlan(prompt: string) {
  const skill = prompt.slice(prompt.indexOf('<skill>\n') + '<skill>\n'.length, prompt.lastIndexOf('\n</skill>'));
  const items = longestNumberedList(scanLines(skill));
  if (items.length < 3) return { hasParallelism: false, reasoning: 'The skill has no numbered workflow to decompose.', steps: [], parallelGroups: [] };
  const ids = new Set<string>();
  const steps = items.map((l, i) => {
    const text = collapse(l.text.replace(/^\d+\.\s*/, '')).replace(/\*\*/g, '');
    let id = (text.split(/\s+—\s+|:\s/)[0] ?? text).toLowerCase().replace(/[^a-z0-9]+/g, '_').replace(/^_+|_+$/g, '').slice(0, 24) || `step_${i + 1}`;
    while (ids.has(id)) id += `_${i + 1}`;
    ids.add(id);
    return { id, description: text, primitives: [], dependsOn: [] as string[] };
  });
  steps.forEach((s, i) => i > 0 && s.dependsOn.push(steps[i - 1]!.id));
  const groups = steps.filter((s) => COLLECTION.test(s.description)).map((s) => ({ type: 'dlp', stepIds: [s.id], reason: `"${s.description.slice(0, 60)}" applies one operation to many independent items.`, mechanism: '' }));
  return {
    hasParallelism: groups.length > 0,
    reasoning: groups.length ? 'The workflow is a chain, but some steps work over a collection of independent items.' : 'Every step needs the one before; the workflow is a chain.',
    steps: groups.length ? steps : [],
    parallelGroups: groups,
  };
}
