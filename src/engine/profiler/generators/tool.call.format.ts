import { cp, generatorByLevel, parseJsonLoose, showJson, textProbe, type ProbeRng } from '../toolkit.js';
import type { ProbeCheckpoint, ProbeInstance } from '../types.js';
import { capitalize, simpleWord } from '../gen/words.js';

/**
 * tool.call.format — formatting tool-call arguments. The answer is one tool call written as a
 * JSON object `{"name": …, "arguments": {…}}` in the final reply.
 *  L1  string arguments only (one looks numeric and must stay a string).
 *  L2  structured arguments: an object, an array of objects with numbers, a string array, a boolean.
 *  L3  nested parameters whose strings hold quotes, backslashes, a tab and non-ASCII characters
 *      that must survive exactly.
 */

const ID = 'tool.call.format';

const VERBS = ['create', 'register', 'open', 'submit', 'schedule', 'archive', 'assign', 'publish', 'book', 'file', 'queue', 'notify'];
const NOUNS = ['ticket', 'shipment', 'booking', 'report', 'account', 'review', 'invoice', 'incident', 'order', 'request', 'listing', 'permit'];

function toolName(rng: ProbeRng): string {
  return `${rng.pick(VERBS)}_${rng.pick(NOUNS)}`;
}

/** Deep equality of JSON values (numbers by value, strings NFC-normalised, key order ignored). */
function jsonEqual(a: unknown, b: unknown): boolean {
  if (typeof a === 'string' && typeof b === 'string') return a.normalize('NFC') === b.normalize('NFC');
  if (typeof a === 'number' && typeof b === 'number') return Math.abs(a - b) < 1e-9;
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object') return a === b;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => jsonEqual(x, b[i]));
  const ka = Object.keys(a as object).sort();
  const kb = Object.keys(b as object).sort();
  return ka.length === kb.length && ka.every((k, i) => k === kb[i] && jsonEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}

type Parsed = { ok: true; name: unknown; args: Record<string, unknown> } | { ok: false; reason: string };

function parseCall(text: string): Parsed {
  const v = parseJsonLoose(text);
  if (v === undefined || v === null || typeof v !== 'object' || Array.isArray(v)) return { ok: false, reason: 'no JSON object found in the answer' };
  const o = v as Record<string, unknown>;
  const args = o.arguments;
  if (args === null || typeof args !== 'object' || Array.isArray(args)) return { ok: false, reason: `"arguments" is not an object (${showJson(args, 160)})` };
  return { ok: true, name: o.name, args: args as Record<string, unknown> };
}

/** Checkpoints shared by every level: valid JSON call, right tool name, then per-argument groups. */
function checkCall(text: string, name: string, groups: Array<{ cp: string; keys: string[] }>, expected: Record<string, unknown>): ProbeCheckpoint[] {
  const p = parseCall(text);
  if (!p.ok) return [cp('json_valid', false, p.reason)];
  const out: ProbeCheckpoint[] = [cp('json_valid', true), cp('tool_name', p.name === name, `expected "${name}", got ${showJson(p.name, 160)}`)];
  const extra = Object.keys(p.args).filter((k) => !(k in expected));
  out.push(cp('no_extra_arguments', extra.length === 0, `unexpected arguments: ${extra.join(', ')}`));
  for (const g of groups) {
    const bad = g.keys.filter((k) => !jsonEqual(p.args[k], expected[k]));
    out.push(cp(g.cp, bad.length === 0, bad.map((k) => `${k}: expected ${showJson(expected[k], 160)}, got ${showJson(p.args[k], 160)}`).join('; ')));
  }
  return out;
}

const FORMAT_RULE =
  'Reply with only the call as JSON {"name": "<tool>", "arguments": {…}}: exactly the signature\'s parameter names and JSON types, no other keys.';

function level1(rng: ProbeRng, seed: number): ProbeInstance {
  const name = toolName(rng);
  const person = `${capitalize(simpleWord(rng))} ${capitalize(simpleWord(rng))}`;
  const pool: Array<[string, string]> = [
    ['title', `${capitalize(simpleWord(rng))} ${simpleWord(rng)} ${simpleWord(rng)}`],
    ['requester', person],
    ['email', `${simpleWord(rng)}.${simpleWord(rng)}@${simpleWord(rng)}.example`],
    ['location', `${capitalize(simpleWord(rng))} ${rng.pick(['Street', 'Road', 'Lane'])} ${rng.int(1, 300)}`],
    ['department', capitalize(simpleWord(rng))],
    ['due_date', `2025-${String(rng.int(1, 12)).padStart(2, '0')}-${String(rng.int(1, 28)).padStart(2, '0')}`],
  ];
  const numericKey = rng.pick(['reference_code', 'postal_code', 'account_number']);
  const numericValue = '0' + String(rng.int(1000, 99999));
  const params = [...rng.sample(pool, rng.int(2, 3)), [numericKey, numericValue] as [string, string]];
  const ordered = rng.shuffle(params);
  const expected: Record<string, unknown> = Object.fromEntries(ordered);
  const prompt =
    `Tool signature: ${name}(${ordered.map(([k]) => `${k}: string`).join(', ')})\n` +
    `Call it with ` +
    ordered.map(([k, v]) => `${k.replace(/_/g, ' ')} "${v}"`).join(', ') +
    `.\n${FORMAT_RULE}`;
  const good = { name, arguments: expected };
  const bad = { name, arguments: { ...expected, [numericKey]: Number(numericValue) } };
  return textProbe(ID, 'L1', seed, {
    prompt,
    async check(reply) {
      return checkCall(reply, name, [{ cp: 'string_arguments', keys: Object.keys(expected) }], expected);
    },
    referenceText: JSON.stringify(good),
    nearMissText: JSON.stringify(bad, null, 2),
  });
}

function level2(rng: ProbeRng, seed: number): ProbeInstance {
  const name = toolName(rng);
  const customerId = `C-${rng.int(10000, 99999)}`;
  const tier = rng.pick(['bronze', 'silver', 'gold', 'platinum']);
  const nItems = rng.int(2, 4);
  const items = Array.from({ length: nItems }, () => ({
    sku: `${simpleWord(rng, 1).toUpperCase()}${rng.int(100, 999)}`,
    quantity: rng.int(1, 12),
    unit_price: rng.float(0.5, 250, 2),
  }));
  const tags = Array.from({ length: rng.int(2, 3) }, () => simpleWord(rng));
  const express = rng.next() < 0.5;
  const city = capitalize(simpleWord(rng));
  const zip = String(rng.int(10000, 99999));
  const expected: Record<string, unknown> = {
    customer: { id: customerId, tier },
    items,
    shipping: { express, address: { city, postal_code: zip } },
    tags,
  };
  const money = (x: number) => x.toFixed(2);
  const prompt =
    `Tool signature:\n` +
    `${name}(\n` +
    `  customer: { id: string, tier: string },\n` +
    `  items: array of { sku: string, quantity: integer, unit_price: number },\n` +
    `  shipping: { express: boolean, address: { city: string, postal_code: string } },\n` +
    `  tags: array of string\n` +
    `)\n` +
    `Write the call for: customer ${customerId} (${tier} tier) orders ` +
    items.map((it) => `${it.quantity} × ${it.sku} at ${money(it.unit_price)} each`).join(', ') +
    ` (in that order), ${express ? 'express' : 'standard (not express)'} shipping to ${city}, postal code ${zip}; ` +
    `tags ${tags.map((t) => `"${t}"`).join(', ')}.\n${FORMAT_RULE}`;
  const good = { name, arguments: expected };
  // A classic slip: the array serialised into a string instead of passed as an array.
  const bad = { name, arguments: { ...expected, items: JSON.stringify(items) } };
  return textProbe(ID, 'L2', seed, {
    prompt,
    async check(reply) {
      return checkCall(
        reply,
        name,
        [
          { cp: 'customer_object', keys: ['customer'] },
          { cp: 'items_array', keys: ['items'] },
          { cp: 'shipping_nested', keys: ['shipping'] },
          { cp: 'tags_array', keys: ['tags'] },
        ],
        expected,
      );
    },
    referenceText: '```json\n' + JSON.stringify(good, null, 2) + '\n```',
    nearMissText: JSON.stringify(bad, null, 2),
  });
}

const ACCENTED = ['é', 'ü', 'ñ', 'ø', 'å', 'ç', 'ö', 'è'];
const SYMBOLS = ['✓', '→', '★', '€', '°', 'Ω', '東京', 'ß', '—'];

function accent(rng: ProbeRng, w: string): string {
  const i = rng.int(0, w.length - 1);
  return w.slice(0, i) + rng.pick(ACCENTED) + w.slice(i + 1);
}

function level3(rng: ProbeRng, seed: number): ProbeInstance {
  const name = toolName(rng);
  const quoted = simpleWord(rng);
  const title = `${capitalize(simpleWord(rng))} "${quoted}" ${accent(rng, simpleWord(rng))} ${rng.pick(SYMBOLS)}`;
  // Segments starting with n/t/r/b/f turn into control characters when the backslash is not doubled.
  const seg = () => rng.pick(['n', 't', 'r', 'b', 'f']) + simpleWord(rng);
  const path = `C:\\${capitalize(simpleWord(rng))}\\${seg()}\\${seg()}.${rng.pick(['cfg', 'ini', 'json'])}`;
  const noteA = simpleWord(rng);
  const noteB = simpleWord(rng);
  const note = `${noteA}\t${noteB} (${rng.int(2, 99)}% ${accent(rng, simpleWord(rng))})`;
  const labels = [accent(rng, simpleWord(rng)), `${simpleWord(rng)} ${rng.pick(SYMBOLS)}`, `${simpleWord(rng)}'s`];
  const expected: Record<string, unknown> = {
    target: { service: simpleWord(rng), region: { code: `${simpleWord(rng, 1)}-${rng.int(1, 9)}`, zone: rng.pick(['a', 'b', 'c']) } },
    payload: { title, path, note, labels },
    options: { retry: { attempts: rng.int(2, 7), backoff_seconds: rng.float(0.5, 9.5, 1) }, dry_run: rng.next() < 0.5 },
  };
  const t = expected.target as { service: string; region: { code: string; zone: string } };
  const o = expected.options as { retry: { attempts: number; backoff_seconds: number }; dry_run: boolean };
  const prompt =
    `Tool signature:\n` +
    `${name}(\n` +
    `  target: { service: string, region: { code: string, zone: string } },\n` +
    `  payload: { title: string, path: string, note: string, labels: array of string },\n` +
    `  options: { retry: { attempts: integer, backoff_seconds: number }, dry_run: boolean }\n` +
    `)\n` +
    `Write the call for service "${t.service}", region code "${t.region.code}", zone "${t.region.zone}", ` +
    `${o.retry.attempts} retry attempts with ${o.retry.backoff_seconds} s backoff, dry run ${o.dry_run ? 'on' : 'off'}.\n` +
    `Payload values below: all after "= " to the line end, character for character; ` +
    `the note has one TAB, between \`${noteA}\` and \`${noteB}\`; labels = labels 1–${labels.length} in order.\n` +
    '```\n' +
    `title = ${title}\npath = ${path}\nnote = ${note}\n` +
    labels.map((l, i) => `label ${i + 1} = ${l}`).join('\n') +
    '\n```\n' +
    FORMAT_RULE;
  const good = { name, arguments: expected };
  // Backslashes written once instead of escaped: `\n`/`\t`… become control characters (or invalid JSON).
  const bad = JSON.stringify({ name, arguments: expected }, null, 2).split('\\\\').join('\\');
  return textProbe(ID, 'L3', seed, {
    prompt,
    async check(reply) {
      const p = parseCall(reply);
      const base = checkCall(
        reply,
        name,
        [
          { cp: 'target_nested', keys: ['target'] },
          { cp: 'options_nested', keys: ['options'] },
        ],
        expected,
      );
      if (!p.ok) return base;
      const payload = p.args.payload as Record<string, unknown> | undefined;
      const want = expected.payload as Record<string, unknown>;
      const bad = ['title', 'path', 'note', 'labels'].filter((k) => !jsonEqual(payload?.[k], want[k]));
      const extra = payload && typeof payload === 'object' ? Object.keys(payload).filter((k) => !(k in want)) : [];
      return [
        ...base,
        cp('special_strings_exact', bad.length === 0, bad.map((k) => `${k}: expected ${showJson(want[k], 160)}, got ${showJson(payload?.[k], 160)}`).join('; ')),
        cp('payload_shape', !!payload && typeof payload === 'object' && !Array.isArray(payload) && extra.length === 0, `payload keys: ${showJson(payload && Object.keys(payload), 160)}`),
      ];
    },
    referenceText: JSON.stringify(good),
    nearMissText: bad,
  });
}

export const generator = generatorByLevel(ID, {
  L1: 'Write one tool call as JSON {"name","arguments"} with 3–4 string arguments (one numeric-looking that must stay a string).',
  L2: 'Write one tool call with structured arguments: nested objects, an array of item objects with integers and decimals, a string array, a boolean.',
  L3: 'Write one tool call with 3-level nested parameters whose strings contain quotes, backslashes, a tab and non-ASCII text that must survive exactly.',
}, { L1: level1, L2: level2, L3: level3 });
