import { cp, generatorByLevel, showJson, stripFences, textProbe, type ProbeRng } from '../toolkit.js';
import type { ProbeCheckpoint, ProbeInstance } from '../types.js';
import { capitalize, DIGITS, distinct, pseudoWord, randomChars, type WordSounds } from '../gen/words.js';

/**
 * follow.format — answering in an exact output format (the final answer is graded).
 *  L1  a JSON array of strings: identifiers that look like numbers (some with leading zeros) must
 *      stay strings, in the given order, with nothing around the JSON.
 *  L2  one JSON object that conforms to a given JSON Schema (integer vs number, boolean, enum,
 *      array with minItems, nested object with a zero-led postcode, no extra properties),
 *      filled in from facts written as prose.
 *  L3  one flat JSON object under several rules at once: byte limit, key naming style, key
 *      order, letter case of every string value, JSON types — one checkpoint per rule.
 */

const ID = 'follow.format';

// ── content helpers ────────────────────────────────────────────────────────────────────────

const SOUNDS: WordSounds = {
  onsets: ['b', 'd', 'f', 'g', 'k', 'l', 'm', 'n', 'p', 'r', 's', 't', 'v', 'z', 'br', 'dr', 'gr', 'kl', 'st', 'tr', 'sh', 'th'],
  vowels: ['a', 'e', 'i', 'o', 'u', 'ai', 'ea', 'io', 'ou'],
  codas: ['', '', 'n', 'r', 'l', 's', 'nd', 'rt', 'x'],
};

type Parsed = { ok: true; value: unknown } | { ok: false; reason: string };

/** The whole answer must be one JSON value (a surrounding code fence is tolerated, prose is not). */
function parseWhole(text: string): Parsed {
  const t = stripFences(text);
  if (t === '') return { ok: false, reason: 'the answer is empty' };
  try {
    return { ok: true, value: JSON.parse(t) };
  } catch (err) {
    return { ok: false, reason: `the answer is not a single JSON value (${(err as Error).message.slice(0, 80)}): ${JSON.stringify(t.slice(0, 60))}` };
  }
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

// ── L1: JSON array of numeric-looking strings ──────────────────────────────────────────────

function level1(rng: ProbeRng, seed: number): ProbeInstance {
  const noun = rng.pick(['ticket', 'parcel', 'badge', 'invoice', 'locker', 'permit', 'voucher', 'batch', 'seat', 'claim']);
  const k = rng.int(4, 8);
  const zeroLed = rng.int(2, Math.min(4, k - 1));
  const made = new Set<string>();
  while (made.size < k) made.add(`${made.size < zeroLed ? '0' : rng.int(1, 9)}${randomChars(rng, DIGITS, rng.int(3, 5))}`);
  const items = rng.shuffle([...made]);
  const prompt =
    `Reply with only a JSON array of these ${k} ${noun} numbers as JSON strings, exactly as written, in this order: ${items.join(', ')}.`;
  const reference = JSON.stringify(items);
  const kind = rng.int(0, 2);
  const nearText =
    kind === 0
      ? `[${items.map((c) => String(Number(c))).join(', ')}]`
      : kind === 1
        ? `Here is the JSON array of the ${noun} numbers:\n\n${JSON.stringify(items, null, 2)}`
        : items.map((c) => `- "${c}"`).join('\n');
  return textProbe(ID, 'L1', seed, {
    prompt,
    async check(reply) {
      const p = parseWhole(reply);
      if (!p.ok) return [cp('json_valid', false, p.reason)];
      const v = p.value;
      if (!Array.isArray(v)) return [cp('json_valid', true), cp('is_array', false, `expected a JSON array, got ${showJson(v)}`)];
      const strings = v.every((x) => typeof x === 'string');
      const same = v.length === items.length && v.every((x, i) => typeof x === 'string' && x.trim() === items[i]);
      return [
        cp('json_valid', true),
        cp('is_array', true),
        cp('item_count', v.length === items.length, `expected ${items.length} items, got ${v.length}`),
        cp('field_types', strings, `every item must be a string; got ${showJson(v)}`),
        cp('items_correct', same, `expected ${reference}, got ${showJson(v)}`),
      ];
    },
    referenceText: reference,
    nearMissText: nearText,
  });
}

// ── L2: conform to a JSON Schema ───────────────────────────────────────────────────────────

type L2Field = 'name' | 'code' | 'count' | 'score' | 'flag' | 'status' | 'tags' | 'address';

function level2(rng: ProbeRng, seed: number): ProbeInstance {
  const kind = rng.pick(['workshop', 'depot', 'studio', 'library', 'clinic', 'bakery', 'boatyard', 'observatory']);
  const keys: Record<L2Field, string> = {
    name: rng.pick(['name', 'site_name', 'title']),
    code: rng.pick(['code', 'site_code', 'registry_id']),
    count: rng.pick(['staff_count', 'headcount', 'member_count']),
    score: rng.pick(['rating', 'average_score', 'quality_index']),
    flag: rng.pick(['open_weekends', 'accepts_visitors', 'has_parking']),
    status: rng.pick(['status', 'state', 'phase']),
    tags: rng.pick(['tags', 'specialties', 'keywords']),
    address: rng.pick(['address', 'location']),
  };
  const name = `${capitalize(pseudoWord(rng, SOUNDS))} ${capitalize(kind)}`;
  const code = `${pseudoWord(rng, SOUNDS, 3).replace(/[^a-z]/g, '').slice(0, 3).toUpperCase().padEnd(3, 'Q')}-${randomChars(rng, DIGITS, 4)}`;
  const count = rng.int(12, 480);
  const score = Number(`${rng.int(1, 4)}.${rng.int(1, 9)}${rng.int(1, 9)}`);
  const flag = rng.next() < 0.5;
  const statuses = ['planned', 'active', 'retired'] as const;
  const status = rng.pick(statuses);
  const tags = distinct(rng.int(2, 4), () => pseudoWord(rng, SOUNDS, 2));
  const street = `${rng.int(2, 180)} ${capitalize(pseudoWord(rng, SOUNDS))} ${rng.pick(['Street', 'Road', 'Lane', 'Way'])}`;
  const city = capitalize(pseudoWord(rng, SOUNDS));
  const postcode = `0${randomChars(rng, DIGITS, 4)}`;
  const expected: Record<string, unknown> = {
    [keys.name]: name,
    [keys.code]: code,
    [keys.count]: count,
    [keys.score]: score,
    [keys.flag]: flag,
    [keys.status]: status,
    [keys.tags]: tags,
    [keys.address]: { street, city, postcode },
  };
  const flagFact: Record<string, [string, string]> = {
    open_weekends: ['It is open on weekends.', 'It is closed on weekends.'],
    accepts_visitors: ['Visitors are welcome.', 'It does not accept visitors.'],
    has_parking: ['There is parking on site.', 'There is no parking on site.'],
  };
  const statusFact = { planned: 'It has not opened yet.', active: 'It is currently in operation.', retired: 'It has been shut down for good.' };
  const countWord = { staff_count: 'people work there', headcount: 'people work there', member_count: 'members belong to it' }[keys.count];
  const scoreWord = { rating: 'its rating is', average_score: 'its average score is', quality_index: 'its quality index is' }[keys.score];
  const facts = rng.shuffle([
    `It is called ${name}, code ${code}.`,
    `${count} ${countWord}, and ${scoreWord} ${score}.`,
    flagFact[keys.flag]![flag ? 0 : 1]!,
    statusFact[status],
    `It is known for ${tags.slice(0, -1).join(', ')} and ${tags[tags.length - 1]}.`,
    `Its address is ${street}, ${city}, postcode ${postcode}.`,
  ]);
  const props: Record<string, unknown> = {
    [keys.name]: { type: 'string' },
    [keys.code]: { type: 'string' },
    [keys.count]: { type: 'integer' },
    [keys.score]: { type: 'number' },
    [keys.flag]: { type: 'boolean' },
    [keys.status]: { type: 'string', enum: [...statuses] },
    [keys.tags]: { type: 'array', items: { type: 'string' }, minItems: 2 },
    [keys.address]: {
      type: 'object',
      properties: { street: { type: 'string' }, city: { type: 'string' }, postcode: { type: 'string', pattern: '^[0-9]{5}$' } },
      additionalProperties: false,
    },
  };
  const order = rng.shuffle(Object.keys(props));
  const schema = {
    type: 'object',
    properties: Object.fromEntries(order.map((k) => [k, props[k]])),
    additionalProperties: false,
  };
  const prompt =
    `Reply with only one JSON object describing the ${kind} below, valid against this JSON Schema (every property, nested ones too, is required):\n` +
    // Compact: the schema says the same on one line at about half the characters of an indented one;
    // "required" is said once in prose instead of as two arrays repeating every key.
    `${JSON.stringify(schema)}\n` +
    `Facts: ${facts.join(' ')}`;

  const checkField = (field: L2Field, got: unknown): { ok: boolean; reason: string } => {
    const key = keys[field];
    const want = expected[key];
    const bad = (why: string) => ({ ok: false, reason: `${key}: ${why}; got ${showJson(got)}` });
    if (got === undefined) return { ok: false, reason: `${key} is missing` };
    switch (field) {
      case 'name':
      case 'code':
        return typeof got === 'string' && got.trim() === want ? { ok: true, reason: '' } : bad(`expected the string ${showJson(want)}`);
      case 'count':
        return typeof got === 'number' && got === want ? { ok: true, reason: '' } : bad(`expected the integer ${showJson(want)}`);
      case 'score':
        return typeof got === 'number' && Math.abs(got - score) < 1e-9 ? { ok: true, reason: '' } : bad(`expected the number ${score}`);
      case 'flag':
        return got === flag ? { ok: true, reason: '' } : bad(`expected the boolean ${flag}`);
      case 'status':
        return got === status ? { ok: true, reason: '' } : bad(`expected one of the enum values: ${status}`);
      case 'tags': {
        if (!Array.isArray(got) || !got.every((x) => typeof x === 'string')) return bad('expected an array of strings');
        const g = got.map((x: string) => x.trim().toLowerCase()).sort();
        const w = [...tags].sort();
        return g.length === w.length && g.every((x, i) => x === w[i]) ? { ok: true, reason: '' } : bad(`expected the items ${showJson(tags)}`);
      }
      case 'address': {
        if (!isPlainObject(got)) return bad('expected an object');
        const extra = Object.keys(got).filter((k) => !['street', 'city', 'postcode'].includes(k));
        if (extra.length) return bad(`unexpected properties ${extra.join(', ')}`);
        const ok = got.street === street && got.city === city && got.postcode === postcode;
        return ok ? { ok: true, reason: '' } : bad(`expected ${showJson({ street, city, postcode })}`);
      }
    }
  };

  const nearKind = rng.int(0, 4);
  const near: Record<string, unknown> = structuredClone(expected);
  if (nearKind === 0) near[keys.address] = { street, city, postcode: Number(postcode) };
  else if (nearKind === 1) near[keys.count] = String(count);
  else if (nearKind === 2) near[keys.tags] = tags.join(', ');
  else if (nearKind === 3) {
    delete near[keys.address];
    Object.assign(near, { street, city, postcode });
  } else near[keys.status] = capitalize(status);

  return textProbe(ID, 'L2', seed, {
    prompt,
    async check(reply) {
      const p = parseWhole(reply);
      if (!p.ok) return [cp('json_valid', false, p.reason)];
      if (!isPlainObject(p.value)) return [cp('json_valid', true), cp('is_object', false, `expected a JSON object, got ${showJson(p.value)}`)];
      const obj = p.value;
      const out: ProbeCheckpoint[] = [cp('json_valid', true), cp('is_object', true)];
      for (const field of Object.keys(keys) as L2Field[]) {
        const r = checkField(field, obj[keys[field]]);
        out.push(cp(`field_${keys[field]}`, r.ok, r.reason));
      }
      const extra = Object.keys(obj).filter((k) => !(k in expected));
      out.push(cp('no_extra_keys', extra.length === 0, `properties not in the schema: ${extra.join(', ')}`));
      return out;
    },
    referenceText: JSON.stringify(expected, null, 2),
    nearMissText: JSON.stringify(near, null, 2),
  });
}

// ── L3: several format rules at once ───────────────────────────────────────────────────────

type L3Type = 'string' | 'integer' | 'boolean' | 'array';
interface L3Field {
  label: string;
  type: L3Type;
  value: string | number | boolean | string[];
}

function snake(label: string): string {
  return label.toLowerCase().split(/\s+/).join('_');
}
function camel(label: string): string {
  const [first, ...rest] = label.toLowerCase().split(/\s+/);
  return first! + rest.map(capitalize).join('');
}
/** Key as compared across naming styles. */
function loose(key: string): string {
  return key.toLowerCase().replace(/[^a-z0-9]/g, '');
}

function level3(rng: ProbeRng, seed: number): ProbeInstance {
  const name = () => `${capitalize(pseudoWord(rng, SOUNDS))} ${capitalize(pseudoWord(rng, SOUNDS, 2))}`;
  const stringFields: Array<[string, () => string]> = [
    ['home port', () => `Port ${capitalize(pseudoWord(rng, SOUNDS))}`],
    ['hull colour', () => `${rng.pick(['Sea', 'Deep', 'Pale', 'Storm', 'Rust'])} ${rng.pick(['Green', 'Blue', 'Grey', 'Red', 'White'])}`],
    ['captain name', name],
    ['flag state', () => `${capitalize(pseudoWord(rng, SOUNDS))}ia`],
    ['engine model', () => `${capitalize(pseudoWord(rng, SOUNDS, 2))} Mk ${rng.pick(['II', 'III', 'IV', 'VI', 'IX'])}`],
    ['shipyard', () => `${capitalize(pseudoWord(rng, SOUNDS))} Yards`],
    ['call sign', () => `${capitalize(pseudoWord(rng, SOUNDS, 2))} ${rng.pick(['Alpha', 'Bravo', 'Delta', 'Echo', 'Kilo'])}`],
  ];
  const intFields: Array<[string, () => number]> = [
    ['crew size', () => rng.int(8, 60)],
    ['launch year', () => rng.int(1952, 2022)],
    ['deck count', () => rng.int(2, 9)],
    ['cabin count', () => rng.int(10, 220)],
    ['top speed', () => rng.int(12, 41)],
    ['cargo capacity', () => rng.int(500, 9000)],
  ];
  const boolFields = ['has sonar', 'is chartered', 'carries passengers', 'ice rated'];
  const arrayFields: Array<[string, () => string[]]> = [
    ['ports of call', () => distinct(rng.int(3, 4), () => capitalize(pseudoWord(rng, SOUNDS)))],
    ['cargo types', () => rng.sample(['Timber', 'Grain', 'Salt Fish', 'Copper Ore', 'Wool', 'Coffee', 'Machine Parts', 'Olive Oil'], 3)],
  ];
  const fields: L3Field[] = [
    ...rng.sample(stringFields, 3).map(([label, make]) => ({ label, type: 'string' as const, value: make() })),
    ...rng.sample(intFields, 2).map(([label, make]) => ({ label, type: 'integer' as const, value: make() })),
    { label: rng.pick(boolFields), type: 'boolean', value: rng.next() < 0.5 },
    ((f) => ({ label: f[0], type: 'array' as const, value: f[1]() }))(rng.pick(arrayFields)),
  ];
  const keyStyle = rng.pick(['snake_case', 'camelCase'] as const);
  const keyOf = (label: string) => (keyStyle === 'snake_case' ? snake(label) : camel(label));
  const otherKey = (label: string) => (keyStyle === 'snake_case' ? camel(label) : snake(label));
  const direction = rng.pick(['ascending', 'descending'] as const);
  const valueCase = rng.pick(['lowercase', 'UPPERCASE'] as const);
  const toCase = (s: string) => (valueCase === 'lowercase' ? s.toLowerCase() : s.toUpperCase());
  const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  const sortedKeys = (ks: string[]) => [...ks].sort((a, b) => (direction === 'ascending' ? cmp(a, b) : cmp(b, a)));
  // Facts are listed in an order that is not already the required key order.
  let listed = rng.shuffle(fields);
  for (let i = 0; i < 20; i++) {
    const ks = listed.map((f) => keyOf(f.label));
    if (ks.join() !== sortedKeys(ks).join()) break;
    listed = rng.shuffle(fields);
  }
  const build = (opts: { key?: (l: string) => string; order?: 'sorted' | 'listed'; caseValues?: boolean; intsAsStrings?: boolean } = {}) => {
    const key = opts.key ?? keyOf;
    const entries = listed.map((f): [string, unknown] => {
      let v: unknown = f.value;
      if (opts.caseValues !== false) v = typeof v === 'string' ? toCase(v) : Array.isArray(v) ? v.map(toCase) : v;
      if (opts.intsAsStrings && f.type === 'integer') v = String(v);
      return [key(f.label), v];
    });
    if (opts.order !== 'listed') entries.sort((a, b) => (direction === 'ascending' ? cmp(a[0], b[0]) : cmp(b[0], a[0])));
    return Object.fromEntries(entries);
  };
  const ref = build();
  const minified = JSON.stringify(ref);
  const spaced = minified.replace(/([,:])(?=(?:[^"]*"[^"]*")*[^"]*$)/g, '$1 ');
  const pretty = JSON.stringify(ref, null, 2);
  const sB = Buffer.byteLength(spaced);
  const pB = Buffer.byteLength(pretty);
  let limit = Math.floor((sB + (pB - sB) / 2) / 10) * 10;
  if (limit < sB) limit = sB;
  if (limit >= pB) limit = sB;

  const factLine = (f: L3Field) =>
    `- ${f.label}: ${f.type === 'boolean' ? (f.value ? 'yes' : 'no') : Array.isArray(f.value) ? f.value.join(', ') : String(f.value)}`;
  const exampleLabel = rng.pick(['fuel type', 'radio band', 'hull material', 'last refit']);
  const prompt =
    `Write the vessel record below as one flat JSON object, obeying all rules:\n` +
    `1. Reply with only the object, at most ${limit} bytes in all.\n` +
    `2. One key per fact, no others: its label in ${keyStyle} (e.g. "${exampleLabel}" → "${keyOf(exampleLabel)}").\n` +
    `3. Keys in ${direction} alphabetical order.\n` +
    `4. Every string value, array items too, in ${valueCase === 'lowercase' ? 'lowercase' : 'UPPERCASE'}.\n` +
    `5. Counts and years as JSON integers, yes/no as booleans, lists as arrays of strings in the given order.\n` +
    `Facts:\n${listed.map(factLine).join('\n')}`;

  const expectedKeys = fields.map((f) => keyOf(f.label));
  const byLoose = new Map(fields.map((f) => [loose(f.label), f]));
  const allStrings = (v: unknown): string[] => (typeof v === 'string' ? [v] : Array.isArray(v) ? v.flatMap(allStrings) : isPlainObject(v) ? Object.values(v).flatMap(allStrings) : []);

  const nearKind = rng.int(0, 4);
  const nearText =
    nearKind === 0
      ? pretty
      : nearKind === 1
        ? JSON.stringify(build({ order: 'listed' }))
        : nearKind === 2
          ? JSON.stringify(build({ caseValues: false }))
          : nearKind === 3
            ? JSON.stringify(build({ intsAsStrings: true }))
            : JSON.stringify(build({ key: otherKey }));

  return textProbe(ID, 'L3', seed, {
    prompt,
    async check(answer) {
      const p = parseWhole(answer);
      if (!p.ok) return [cp('json_valid', false, p.reason)];
      if (!isPlainObject(p.value)) return [cp('json_valid', false, `expected a JSON object, got ${showJson(p.value)}`)];
      const obj = p.value;
      const keys = Object.keys(obj);
      const size = Buffer.byteLength(stripFences(answer));
      const missing = expectedKeys.filter((k) => !(k in obj));
      const extra = keys.filter((k) => !expectedKeys.includes(k));
      const wantOrder = sortedKeys(keys);
      // Code-point order and case-insensitive order are both accepted (they differ only for camelCase ties).
      const ci = (a: string, b: string) => cmp(a.toLowerCase(), b.toLowerCase());
      const wantOrderCi = [...keys].sort((a, b) => (direction === 'ascending' ? ci(a, b) : ci(b, a)));
      const wrongCase = allStrings(obj).filter((s) => s !== toCase(s));
      const typeErrors: string[] = [];
      const valueErrors: string[] = [];
      for (const k of keys) {
        const f = byLoose.get(loose(k));
        if (!f) continue;
        const v = obj[k];
        const typeOk =
          f.type === 'string'
            ? typeof v === 'string'
            : f.type === 'integer'
              ? typeof v === 'number' && Number.isInteger(v)
              : f.type === 'boolean'
                ? typeof v === 'boolean'
                : Array.isArray(v) && v.every((x) => typeof x === 'string');
        if (!typeOk) typeErrors.push(`${k}=${showJson(v)} should be ${f.type === 'array' ? 'an array of strings' : `a ${f.type}`}`);
        const norm = (x: unknown): string => (Array.isArray(x) ? x.map(norm).join('|') : String(x).trim().toLowerCase());
        const want = f.type === 'boolean' ? String(f.value) : norm(f.value);
        if (norm(v) !== want) valueErrors.push(`${k}: expected ${showJson(f.value)}, got ${showJson(v)}`);
      }
      const unmatched = fields.filter((f) => !keys.some((k) => loose(k) === loose(f.label))).map((f) => f.label);
      return [
        cp('json_valid', true),
        cp('size_limit', size <= limit, `the reply is ${size} bytes, the limit is ${limit}`),
        cp('key_names', missing.length === 0 && extra.length === 0, `missing ${missing.join(', ') || 'none'}; unexpected ${extra.join(', ') || 'none'}`),
        cp('key_order', keys.join() === wantOrder.join() || keys.join() === wantOrderCi.join(), `keys are ${keys.join(', ')}; ${direction} order is ${wantOrder.join(', ')}`),
        cp('string_case', wrongCase.length === 0, `not ${valueCase}: ${wrongCase.slice(0, 3).map((v) => showJson(v)).join(', ')}`),
        cp('value_types', typeErrors.length === 0, typeErrors.slice(0, 3).join('; ')),
        cp('values_correct', valueErrors.length === 0 && unmatched.length === 0, [...valueErrors.slice(0, 3), ...unmatched.map((l) => `no key for "${l}"`)].join('; ')),
      ];
    },
    referenceText: minified,
    nearMissText: nearText,
  });
}

export const generator = generatorByLevel(ID, {
  L1: 'Reply with only a JSON array of 4–8 numeric-looking identifiers (some zero-led) kept as strings in the given order; checks validity, array, count, string types, items.',
  L2: 'Reply with one JSON object conforming to a given JSON Schema (integer/number/boolean/enum/array/nested object, no extra properties) filled from prose facts; one checkpoint per property.',
  L3: 'Reply with one flat JSON object obeying a byte limit, a key naming style, alphabetical key order, upper/lower case string values and JSON types at once; one checkpoint per rule.',
}, { L1: level1, L2: level2, L3: level3 });
