import { cp, firstFencedBlock, generatorByLevel, parseJsonLoose, solution, type ProbeRng } from '../toolkit.js';
import type { ProbeCheckContext, ProbeCheckpoint, ProbeInstance } from '../types.js';
import { capitalize, distinct, pseudoWord, type WordSounds } from '../gen/words.js';
import { utf8Bytes } from '../gen/text.js';

/**
 * gen.text.structured — the answer is the agent's final text: a JSON (or YAML) document built
 * from data given in the prompt. The check parses it (YAML through Python's yaml.safe_load),
 * compares it structurally and type-strictly with the expected document, and checks its size.
 * L1 a flat record under 500 bytes, L2 a nested document under 5 KB, L3 a deeply nested
 * organisation chart over 5 KB.
 */

const PRIMITIVE_ID = 'gen.text.structured';

// ── content helpers ────────────────────────────────────────────────────────────────────────

const SOUNDS: WordSounds = {
  onsets: ['b', 'c', 'd', 'f', 'g', 'h', 'j', 'k', 'l', 'm', 'p', 'r', 's', 't', 'v', 'z', 'br', 'cr', 'dr', 'fl', 'gr', 'kl', 'pr', 'st', 'tr', 'sh', 'ch', 'th'],
  vowels: ['a', 'e', 'i', 'o', 'u', 'ai', 'ea', 'io', 'ou', 'ia'],
  codas: ['', '', 'n', 'r', 'l', 's', 'x', 'm', 'nd', 'rt'],
};
const YAML_WORDS = new Set(['yes', 'no', 'on', 'off', 'true', 'false', 'null', 'none', 'y', 'n']);

/** A pseudo-word of at least 4 letters that YAML reads as a plain string (never yes/no/on/off…). */
function plainWord(rng: ProbeRng, syllables: number): string {
  for (;;) {
    const w = pseudoWord(rng, SOUNDS, syllables);
    if (w.length >= 4 && !YAML_WORDS.has(w)) return w;
  }
}

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

/** Where two values first differ (type-strict; object key order ignored), or undefined. */
function diff(got: unknown, want: Json, path = '$'): string | undefined {
  if (want === null || typeof want !== 'object') {
    if (got === want) return undefined;
    return `${path} is ${JSON.stringify(got)?.slice(0, 60)}, expected ${JSON.stringify(want)}`;
  }
  if (Array.isArray(want)) {
    if (!Array.isArray(got)) return `${path} is not an array`;
    if (got.length !== want.length) return `${path} has ${got.length} items, expected ${want.length}`;
    for (let i = 0; i < want.length; i++) {
      const d = diff(got[i], want[i]!, `${path}[${i}]`);
      if (d) return d;
    }
    return undefined;
  }
  if (!got || typeof got !== 'object' || Array.isArray(got)) return `${path} is not an object`;
  const g = got as Record<string, unknown>;
  const extra = Object.keys(g).filter((k) => !(k in want));
  if (extra.length) return `${path} has unexpected key(s) ${extra.slice(0, 3).join(', ')}`;
  for (const [k, v] of Object.entries(want)) {
    if (!(k in g)) return `${path}.${k} is missing`;
    const d = diff(g[k], v, `${path}.${k}`);
    if (d) return d;
  }
  return undefined;
}

/** The document text of a reply: the first fenced block if there is one, else the whole reply. */
function documentText(reply: string): string {
  return (firstFencedBlock(reply) ?? reply).trim();
}

type Format = 'json' | 'yaml';

async function parseDocument(ctx: ProbeCheckContext, format: Format): Promise<{ value?: unknown; text: string; error?: string }> {
  const text = documentText(ctx.finalText);
  if (!text) return { text, error: 'the reply is empty' };
  if (format === 'json') {
    try {
      return { value: JSON.parse(text), text };
    } catch {
      const loose = parseJsonLoose(ctx.finalText);
      return loose === undefined ? { text, error: 'the reply does not contain valid JSON' } : { value: loose, text };
    }
  }
  const res = await ctx.run(`python3 -c 'import sys, json, yaml; print(json.dumps(yaml.safe_load(sys.stdin.read())))'`, { stdin: text, timeoutMs: 15_000 });
  if (res.exitCode !== 0) return { text, error: `the reply is not valid YAML: ${res.stderr.trim().split('\n').pop()?.slice(0, 160) ?? ''}` };
  try {
    return { value: JSON.parse(res.stdout), text };
  } catch {
    return { text, error: 'the YAML could not be converted' };
  }
}

/** A YAML rendering of a JSON value (block style; strings always quoted). */
function toYaml(v: Json, indent = 0): string {
  const pad = ' '.repeat(indent);
  const scalar = (x: Json) => (typeof x === 'string' ? JSON.stringify(x) : x === null ? 'null' : String(x));
  if (Array.isArray(v)) {
    return v
      .map((item) => {
        if (item !== null && typeof item === 'object' && !Array.isArray(item)) {
          const inner = toYaml(item, indent + 2).trimStart();
          return `${pad}- ${inner}`;
        }
        if (Array.isArray(item)) return `${pad}-\n${toYaml(item, indent + 2)}`;
        return `${pad}- ${scalar(item)}`;
      })
      .join('\n');
  }
  if (v !== null && typeof v === 'object') {
    return Object.entries(v)
      .map(([k, x]) => {
        if (x !== null && typeof x === 'object') {
          if (Array.isArray(x) && x.length === 0) return `${pad}${k}: []`;
          return `${pad}${k}:\n${toYaml(x, indent + 2)}`;
        }
        return `${pad}${k}: ${scalar(x)}`;
      })
      .join('\n');
  }
  return `${pad}${scalar(v)}`;
}

function render(doc: Json, format: Format, pretty = true): string {
  return format === 'json' ? JSON.stringify(doc, null, pretty ? 2 : undefined) : toYaml(doc);
}

function fence(text: string, format: Format): string {
  return '```' + format + '\n' + text + '\n```';
}

// ── L1: a flat record ──────────────────────────────────────────────────────────────────────

type FieldKind = 'string' | 'integer' | 'number' | 'boolean' | 'null';
interface Field {
  key: string;
  kind: FieldKind;
  value: Json;
}

function l1Fields(rng: ProbeRng): { record: string; fields: Field[] } {
  const name = capitalize(plainWord(rng, 2));
  const kinds: Array<{ record: string; make: () => Field[] }> = [
    {
      record: 'product',
      make: () => [
        { key: 'sku', kind: 'string', value: `${plainWord(rng, 1).slice(0, 2).toUpperCase()}-${rng.int(1000, 9999)}` },
        { key: 'name', kind: 'string', value: `${name} ${rng.pick(['Lamp', 'Kettle', 'Backpack', 'Chair', 'Speaker'])}` },
        { key: 'price', kind: 'number', value: rng.int(100, 99999) / 100 },
        { key: 'quantity', kind: 'integer', value: rng.int(0, 500) },
        { key: 'in_stock', kind: 'boolean', value: rng.next() < 0.5 },
        { key: 'warehouse', kind: 'string', value: capitalize(plainWord(rng, 2)) },
        { key: 'discontinued_on', kind: 'null', value: null },
      ],
    },
    {
      record: 'user account',
      make: () => [
        { key: 'username', kind: 'string', value: `${plainWord(rng, 2)}${rng.int(1, 99)}` },
        { key: 'age', kind: 'integer', value: rng.int(18, 90) },
        { key: 'email', kind: 'string', value: `${plainWord(rng, 2)}@${plainWord(rng, 2)}.example` },
        { key: 'verified', kind: 'boolean', value: rng.next() < 0.5 },
        { key: 'karma', kind: 'number', value: rng.int(-500, 5000) / 10 },
        { key: 'city', kind: 'string', value: capitalize(plainWord(rng, 2)) },
        { key: 'referrer', kind: 'null', value: null },
      ],
    },
    {
      record: 'sensor reading',
      make: () => [
        { key: 'sensor_id', kind: 'string', value: `${plainWord(rng, 1).toUpperCase()}-${rng.int(10, 99)}` },
        { key: 'location', kind: 'string', value: `${capitalize(plainWord(rng, 2))} ${rng.pick(['Roof', 'Basement', 'Hall', 'Yard'])}` },
        { key: 'temperature_c', kind: 'number', value: rng.int(-200, 400) / 10 },
        { key: 'humidity_pct', kind: 'integer', value: rng.int(5, 99) },
        { key: 'online', kind: 'boolean', value: rng.next() < 0.5 },
        { key: 'battery', kind: 'number', value: rng.int(5, 100) / 100 },
        { key: 'last_error', kind: 'null', value: null },
      ],
    },
    {
      record: 'booking',
      make: () => [
        { key: 'booking_ref', kind: 'string', value: `${plainWord(rng, 2).toUpperCase().slice(0, 4)}${rng.int(100, 999)}` },
        { key: 'guest', kind: 'string', value: `${capitalize(plainWord(rng, 2))} ${capitalize(plainWord(rng, 2))}` },
        { key: 'nights', kind: 'integer', value: rng.int(1, 21) },
        { key: 'total', kind: 'number', value: rng.int(5000, 300000) / 100 },
        { key: 'paid', kind: 'boolean', value: rng.next() < 0.5 },
        { key: 'room', kind: 'string', value: `${rng.pick(['A', 'B', 'C'])}${rng.int(100, 450)}` },
        { key: 'special_requests', kind: 'null', value: null },
      ],
    },
  ];
  const pick = rng.pick(kinds);
  const all = pick.make();
  // Five or six fields; the boolean and at least one number always included.
  const must = all.filter((f) => f.kind === 'boolean' || f.kind === 'integer');
  const rest = rng.sample(
    all.filter((f) => !must.includes(f)),
    rng.int(3, 4),
  );
  const chosen = all.filter((f) => must.includes(f) || rest.includes(f));
  return { record: pick.record, fields: chosen };
}

function generateL1(rng: ProbeRng, seed: number): ProbeInstance {
  const format: Format = rng.next() < 0.35 ? 'yaml' : 'json';
  const { record, fields } = l1Fields(rng);
  const doc: { [k: string]: Json } = Object.fromEntries(fields.map((f) => [f.key, f.value]));
  const show = (f: Field) => `${f.key}: ${f.kind === 'null' ? 'null' : `${String(f.value)} (${f.kind})`}`;
  const label = format === 'json' ? 'JSON object' : 'YAML mapping';
  const prompt = [`Reply with only a flat ${label} (no nesting, under 500 bytes) of this ${record}, with exactly these keys, values and types:`, ...fields.map(show)].join('\n');

  const stringly: { [k: string]: Json } = Object.fromEntries(fields.map((f) => [f.key, f.kind === 'boolean' || f.kind === 'integer' || f.kind === 'number' ? String(f.value) : f.value]));

  const check = async (ctx: ProbeCheckContext): Promise<ProbeCheckpoint[]> => {
    const parsed = await parseDocument(ctx, format);
    if (parsed.error) return [cp(`${format}_valid`, false, parsed.error)];
    const v = parsed.value;
    const isFlat = !!v && typeof v === 'object' && !Array.isArray(v) && Object.values(v).every((x) => x === null || typeof x !== 'object');
    const d = diff(v, doc);
    return [cp(`${format}_valid`, true), cp('flat_object', isFlat, 'the document is not a flat object'), cp('fields_correct', d === undefined, d), cp('byte_size', utf8Bytes(parsed.text) < 500, `${utf8Bytes(parsed.text)} bytes`)];
  };

  return {
    primitiveId: PRIMITIVE_ID,
    level: 'L1',
    seed,
    prompt,
    setupFiles: {},
    requires: format === 'yaml' ? ['python3', 'python3:yaml'] : [],
    check,
    reference: solution({ text: format === 'json' ? render(doc, format) : fence(render(doc, format), format) }),
    nearMiss: solution({ text: render(stringly, format) }),
  };
}

// ── L2: a nested document under 5 KB ───────────────────────────────────────────────────────

const SKILLS = ['sql', 'python', 'go', 'rust', 'kotlin', 'terraform', 'docker', 'figma', 'excel', 'statistics', 'copywriting', 'negotiation', 'accounting', 'react', 'linux', 'networking', 'testing', 'spark', 'tableau', 'photography'];
const TITLES = ['Data Engineer', 'Product Manager', 'Designer', 'Accountant', 'Sales Lead', 'Site Reliability Engineer', 'Recruiter', 'Analyst', 'Support Specialist', 'Researcher'];

function generateL2(rng: ProbeRng, seed: number): ProbeInstance {
  const format: Format = rng.next() < 0.35 ? 'yaml' : 'json';
  const company = `${capitalize(plainWord(rng, 2))} ${rng.pick(['Systems', 'Labs', 'Logistics', 'Studios', 'Foods', 'Robotics'])}`;
  const domain = `${company.split(' ')[0]!.toLowerCase()}.example`;
  const founded = rng.int(1950, 2020);
  const city = capitalize(plainWord(rng, 2));
  const country = capitalize(plainWord(rng, 3));
  const n = rng.int(3, 5);
  const people = distinct(n, () => [capitalize(plainWord(rng, 2)), capitalize(plainWord(rng, 2))] as const);
  const employees = people.map(([first, last]) => ({
    name: `${first} ${last}`,
    title: rng.pick(TITLES),
    skills: rng.sample(SKILLS, rng.int(2, 3)),
    contact: { email: `${first.toLowerCase()}.${last.toLowerCase()}@${domain}`, extension: rng.int(100, 999) },
    remote: rng.next() < 0.5,
  }));
  const doc: { [k: string]: Json } = { company, founded, headquarters: { city, country }, employee_count: n, employees };
  const label = format === 'json' ? 'JSON' : 'YAML';

  const prompt = [
    `Reply with only a ${label} document (under 5 KB) shaped {company, founded: integer, headquarters: {city, country}, employee_count: integer, employees: [{name, title, skills: [string], contact: {email, extension: integer}, remote: boolean}]}; other values are strings, lists in the order given. Each email is first.last@${domain}, lower case.`,
    '',
    `${company}, founded ${founded}, headquarters ${city}, ${country}. ${n} employees:`,
    ...employees.map((e, i) => `${i + 1}. ${e.name}, ${e.title}; skills ${e.skills.join(', ')}; ext. ${e.contact.extension}; ${e.remote ? 'remote' : 'not remote'}`),
  ].join('\n');

  const flattened: { [k: string]: Json } = { ...doc, employees: employees.map((e) => ({ ...e, skills: e.skills.join(', ') })) };

  const check = async (ctx: ProbeCheckContext): Promise<ProbeCheckpoint[]> => {
    const parsed = await parseDocument(ctx, format);
    if (parsed.error) return [cp(`${format}_valid`, false, parsed.error)];
    const v = parsed.value as Record<string, unknown> | undefined;
    const top = diff(v && typeof v === 'object' ? { ...v, employees: [] } : v, { ...doc, employees: [] });
    const emp = diff(v && typeof v === 'object' ? (v as Record<string, unknown>).employees : undefined, employees as Json, '$.employees');
    return [cp(`${format}_valid`, true), cp('top_level_fields', top === undefined, top), cp('employees_correct', emp === undefined, emp), cp('byte_size', utf8Bytes(parsed.text) < 5120, `${utf8Bytes(parsed.text)} bytes`)];
  };

  return {
    primitiveId: PRIMITIVE_ID,
    level: 'L2',
    seed,
    prompt,
    setupFiles: {},
    requires: format === 'yaml' ? ['python3', 'python3:yaml'] : [],
    check,
    reference: solution({ text: fence(render(doc, format), format) }),
    nearMiss: solution({ text: fence(render(flattened, format), format) }),
  };
}

// ── L3: a deeply nested document over 5 KB ─────────────────────────────────────────────────

interface Member {
  name: string;
  role: string;
  level: number;
  skills: string[];
  contact: { email: string; desk: string };
}
interface Team {
  name: string;
  lead: string;
  members: Member[];
}
interface Dept {
  name: string;
  budget: number;
  teams: Team[];
}

const ROLES = ['engineer', 'analyst', 'designer', 'technician', 'writer', 'planner', 'tester', 'coordinator'];

/**
 * Compact-JSON size the chart grows to: any correct reply, even one without whitespace, is then
 * over the 5 KB it must exceed.
 */
const L3_MIN_BYTES = 5200;

const chartDoc = (org: string, depts: Dept[]) => ({ organization: org, departments: depts });

function l3Org(rng: ProbeRng): { org: string; domain: string; depts: Dept[] } {
  const org = `${capitalize(plainWord(rng, 2))} ${rng.pick(['Institute', 'Cooperative', 'Works', 'Group', 'Agency'])}`;
  const domain = `${org.toLowerCase().replace(' ', '-')}.example`;
  const usedNames = new Set<string>();
  const person = () => {
    for (;;) {
      const n = `${capitalize(plainWord(rng, 2))} ${capitalize(plainWord(rng, 2))}`;
      if (!usedNames.has(n)) {
        usedNames.add(n);
        return n;
      }
    }
  };
  const member = (): Member => {
    const name = person();
    return {
      name,
      role: rng.pick(ROLES),
      level: rng.int(1, 7),
      skills: rng.sample(SKILLS, rng.int(2, 3)),
      contact: { email: `${name.toLowerCase().replace(' ', '.')}@${domain}`, desk: `${rng.pick(['A', 'B', 'C', 'D'])}${rng.int(1, 6)}-${rng.int(10, 99)}` },
    };
  };
  const depts: Dept[] = distinct(3, () => capitalize(plainWord(rng, 2))).map((name) => ({
    name,
    budget: rng.int(20, 900) * 1000,
    teams: distinct(3, () => `${capitalize(plainWord(rng, 2))} ${rng.pick(['Squad', 'Cell', 'Unit', 'Crew'])}`).map((tn) => ({ name: tn, lead: '', members: [member(), member(), member()] })),
  }));
  // Teams grow one member at a time only until the chart is big enough: every member listed is
  // prompt the model is sent. Nine teams of up to five members always get there.
  const teams = depts.flatMap((d) => d.teams);
  while (utf8Bytes(JSON.stringify(chartDoc(org, depts))) < L3_MIN_BYTES) rng.pick(teams.filter((t) => t.members.length < 5)).members.push(member());
  for (const t of teams) t.lead = rng.pick(t.members).name;
  return { org, domain, depts };
}

function generateL3(rng: ProbeRng, seed: number): ProbeInstance {
  const org = l3Org(rng);
  const doc = chartDoc(org.org, org.depts) as unknown as { [k: string]: Json };
  const variant = rng.int(0, 1);

  // Emails follow one stated rule and the lead is marked, so the roster states each fact once.
  const listing: string[] = [];
  for (const d of org.depts) {
    listing.push(`Department ${d.name}, budget ${d.budget}`);
    for (const t of d.teams) {
      listing.push(`Team ${t.name}`);
      for (const m of t.members) listing.push(`${m.name}${m.name === t.lead ? '*' : ''}; ${m.role}; ${m.level}; ${m.skills.join(', ')}; ${m.contact.desk}`);
    }
  }
  const prompt = [
    `Reply with only a JSON document: the full organisation chart of the ${org.org} below, shaped`,
    '{organization, departments: [{name, budget: integer, teams: [{name, lead, members: [{name, role, level: integer, skills: [string], contact: {email, desk}}]}]}]}',
    `Other values are strings. Include every department, team, member and skill, in the order listed (over 5 KB in all). Member rows: name; role; level; skills; desk; * marks the team lead. Emails are first.last@${org.domain}, lower case.`,
    '',
    ...listing,
  ].join('\n');

  const full = JSON.stringify(doc, null, 2);
  const wrong = variant === 0 ? full.slice(0, Math.floor(full.length * 0.72)) : JSON.stringify({ ...doc, departments: org.depts.slice(0, -1) }, null, 2);

  const check = async (ctx: ProbeCheckContext): Promise<ProbeCheckpoint[]> => {
    const parsed = await parseDocument(ctx, 'json');
    if (parsed.error) return [cp('json_valid', false, parsed.error)];
    const v = parsed.value as { organization?: unknown; departments?: unknown } | undefined;
    const out: ProbeCheckpoint[] = [cp('json_valid', true), cp('byte_size', utf8Bytes(parsed.text) > 5120, `${utf8Bytes(parsed.text)} bytes, expected over 5120`)];
    const depts = Array.isArray(v?.departments) ? (v!.departments as Array<Record<string, unknown>>) : undefined;
    const skeleton = (ds: Array<Record<string, unknown>> | Dept[] | undefined) =>
      ds?.map((d) => ({ name: d.name, budget: d.budget, teams: Array.isArray(d.teams) ? (d.teams as Array<Record<string, unknown>>).map((t) => ({ name: t.name, lead: t.lead })) : d.teams })) as unknown;
    const top = v?.organization === org.org ? diff(skeleton(depts), skeleton(org.depts) as Json, '$.departments') : `$.organization is ${JSON.stringify(v?.organization)}`;
    out.push(cp('hierarchy_correct', top === undefined, top));
    const members = diff(v?.departments, org.depts as unknown as Json, '$.departments');
    out.push(cp('members_correct', members === undefined, members));
    return out;
  };

  return {
    primitiveId: PRIMITIVE_ID,
    level: 'L3',
    seed,
    prompt,
    setupFiles: {},
    requires: [],
    check,
    reference: solution({ text: full }),
    nearMiss: solution({ text: wrong }),
  };
}

export const generator = generatorByLevel(PRIMITIVE_ID, {
  L1: 'Reply with a small flat JSON or YAML record (under 500 bytes) with exact keys, values and types.',
  L2: 'Reply with a nested JSON or YAML document (under 5 KB) built from a prose description: objects, lists and typed values.',
  L3: 'Reply with a deeply nested JSON organisation chart of over 5 KB (departments, teams, members, contacts) that parses and is complete.',
}, { L1: generateL1, L2: generateL2, L3: generateL3 });
