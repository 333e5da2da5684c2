import type { IncomingMessage, ServerResponse } from 'node:http';
import { call, cp, generatorByLevel, parseJsonLoose, solution, type ProbeRng } from '../toolkit.js';
import { BASE_URL_PLACEHOLDER, type ProbeInstance, type ProbeServer } from '../types.js';
import { capitalize, distinctWords, SIMPLE_SOUNDS, simpleWord } from '../gen/words.js';
import { isAlphabetical } from '../gen/text.js';

/**
 * tool.web — calling web APIs. Each instance serves its own JSON API from this process (the
 * runner starts it on 127.0.0.1 and puts its URL where `{{BASE_URL}}` is written); the data
 * comes from the seed, so the answer can only be obtained by calling it.
 *  L1  one GET, extract one nested field (a sibling object has the same field names).
 *  L2  GET with three query parameters the server really filters on; save count and ids.
 *  L3  a paginated list endpoint plus a per-record lookup endpoint; combine them.
 */

const ID = 'tool.web';
const BASE = BASE_URL_PLACEHOLDER;

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body, null, 1);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

/** A GET-only JSON API: `routes` gets the path and query and returns [status, body]. */
function jsonServer(routes: (pathname: string, query: URLSearchParams) => [number, unknown]): ProbeServer {
  return {
    handle(req: IncomingMessage, res: ServerResponse) {
      if (req.method !== 'GET' && req.method !== 'HEAD') return sendJson(res, 405, { error: 'only GET is supported' });
      const url = new URL(req.url ?? '/', 'http://probe.local');
      const pathname = url.pathname.replace(/\/+$/, '') || '/';
      const [status, body] = routes(pathname, url.searchParams);
      sendJson(res, status, body);
    },
  };
}

interface Person {
  name: string;
  email: string;
  team: string;
}

function person(rng: ProbeRng, teams: readonly string[]): Person {
  const first = simpleWord(rng);
  const last = simpleWord(rng);
  return { name: `${capitalize(first)} ${capitalize(last)}`, email: `${first}.${last}@${simpleWord(rng, 2)}.example`, team: rng.pick(teams) };
}

function level1(rng: ProbeRng, seed: number): ProbeInstance {
  const collection = rng.pick(['tickets', 'projects', 'datasets', 'devices', 'orders']);
  const id = rng.int(100, 9999);
  const teams = distinctWords(rng, 4, SIMPLE_SOUNDS);
  const owner = person(rng, teams);
  let reviewer = person(rng, teams);
  while (reviewer.team === owner.team) reviewer = { ...reviewer, team: rng.pick(teams) };
  const record = {
    id,
    title: `${capitalize(simpleWord(rng))} ${simpleWord(rng)}`,
    status: rng.pick(['open', 'blocked', 'review', 'done']),
    created_at: `2024-${String(rng.int(1, 12)).padStart(2, '0')}-${String(rng.int(1, 28)).padStart(2, '0')}T${String(rng.int(0, 23)).padStart(2, '0')}:00:00Z`,
    reviewer,
    owner,
    counts: { comments: rng.int(0, 80), watchers: rng.int(0, 30) },
  };
  const field = rng.pick(['email', 'team', 'name'] as const);
  const label = { email: 'email address', team: 'team', name: 'full name' }[field];
  const answer = owner[field];
  const url = `${BASE}/api/v1/${collection}/${id}`;
  const prompt =
    `GET the JSON record at ${url} and write the ${label} of its owner, just the value, to \`result.txt\`.`;
  const server = jsonServer((p) => {
    if (p === `/api/v1/${collection}/${id}`) return [200, record];
    if (p.startsWith(`/api/v1/${collection}/`)) return [404, { error: 'no such record' }];
    return [404, { error: 'not found' }];
  });
  return {
    primitiveId: ID,
    level: 'L1',
    seed,
    prompt,
    setupFiles: {},
    requires: [],
    server,
    web: true,
    async check(ctx) {
      const got = await ctx.readFile('result.txt');
      if (got === undefined) return [cp('file_exists', false, 'result.txt was not created')];
      const v = got.trim().replace(/^["'`]|["'`]$/g, '').trim();
      return [cp('file_exists', true), cp('field_correct', v === answer, `expected ${JSON.stringify(answer)}, got ${JSON.stringify(v)}`)];
    },
    reference: solution({ toolCalls: [call.fetch(url)] }, { toolCalls: [call.write('result.txt', answer + '\n')] }, { text: `The owner's ${label} is ${answer}.` }),
    nearMiss: solution({ toolCalls: [call.fetch(url)] }, { toolCalls: [call.write('result.txt', reviewer[field] + '\n')] }, { text: `The ${label} is ${reviewer[field]}.` }),
  };
}

interface Product {
  id: number;
  name: string;
  category: string;
  price: number;
  stock: number;
}

function level2(rng: ProbeRng, seed: number): ProbeInstance {
  const categories = distinctWords(rng, rng.int(4, 6), SIMPLE_SOUNDS);
  const cat = categories[0]!;
  const maxPrice = rng.int(30, 120);
  const n = rng.int(25, 45);
  const products: Product[] = [];
  let nextId = rng.int(100, 400);
  const add = (category: string, price: number, stock: number) => products.push({ id: (nextId += rng.int(1, 9)), name: `${capitalize(simpleWord(rng))} ${simpleWord(rng)}`, category, price, stock });
  const planted = rng.shuffle([
    () => add(cat, rng.float(1, maxPrice - 1, 2), 0), // matches but out of stock
    () => add(cat, rng.float(1, maxPrice - 1, 2), rng.int(1, 40)),
    () => add(cat, rng.float(1, maxPrice - 1, 2), rng.int(1, 40)),
    () => add(cat, rng.float(maxPrice + 1, maxPrice * 3, 2), rng.int(1, 40)), // too expensive
  ]);
  const plantAt = new Set(rng.sample(Array.from({ length: n }, (_, i) => i), planted.length));
  for (let i = 0, p = 0; i < n; i++) {
    if (plantAt.has(i)) planted[p++]!();
    else add(rng.next() < 0.4 ? cat : rng.pick(categories), rng.float(1, maxPrice * 2.5, 2), rng.next() < 0.25 ? 0 : rng.int(1, 60));
  }
  const filter = (q: URLSearchParams) => {
    let r = products;
    const c = q.get('category');
    if (c !== null) r = r.filter((x) => x.category === c);
    const m = q.get('max_price');
    if (m !== null && m !== '' && Number.isFinite(Number(m))) r = r.filter((x) => x.price <= Number(m));
    const s = q.get('in_stock');
    if (s === 'true' || s === '1') r = r.filter((x) => x.stock > 0);
    else if (s === 'false' || s === '0') r = r.filter((x) => x.stock === 0);
    return r;
  };
  const want = filter(new URLSearchParams({ category: cat, max_price: String(maxPrice), in_stock: 'true' }));
  const sloppy = filter(new URLSearchParams({ category: cat, max_price: String(maxPrice) }));
  const server = jsonServer((p, q) => {
    if (p !== '/api/v1/products') return [404, { error: 'not found' }];
    const r = filter(q);
    return [200, { count: r.length, results: r }];
  });
  const prompt =
    `Product search API: \`GET ${BASE}/api/v1/products\` takes query parameters \`category\`, \`max_price\`, \`in_stock\` (true/false) ` +
    `and returns \`{"count": …, "results": [ … ]}\`.\n` +
    `Find in-stock products in category \`${cat}\` costing at most ${maxPrice}. Write \`result.json\` as ` +
    `\`{"count": <number of matches>, "ids": [<their ids, in API order>]}\`.`;
  const url = `${BASE}/api/v1/products?category=${cat}&max_price=${maxPrice}&in_stock=true`;
  const body = (r: Product[]) => JSON.stringify({ count: r.length, ids: r.map((x) => x.id) }, null, 2) + '\n';
  return {
    primitiveId: ID,
    level: 'L2',
    seed,
    prompt,
    setupFiles: {},
    requires: ['node'],
    server,
    web: true,
    async check(ctx) {
      const got = await ctx.readFile('result.json');
      if (got === undefined) return [cp('file_exists', false, 'result.json was not created')];
      const v = parseJsonLoose(got) as { count?: unknown; ids?: unknown } | undefined;
      if (!v || typeof v !== 'object') return [cp('file_exists', true), cp('json_valid', false, 'result.json is not a JSON object')];
      const ids = Array.isArray(v.ids) ? v.ids.map(Number) : undefined;
      const wantIds = want.map((x) => x.id);
      return [
        cp('file_exists', true),
        cp('json_valid', true),
        cp('count_correct', Number(v.count) === want.length, `expected count ${want.length}, got ${JSON.stringify(v.count)}`),
        cp('ids_correct', !!ids && ids.length === wantIds.length && ids.every((x, i) => x === wantIds[i]), `expected ids ${JSON.stringify(wantIds)}, got ${JSON.stringify(v.ids)}`),
      ];
    },
    // Fetched from a command (the sandbox shares the network with web: true), then summarised.
    reference: solution(
      { toolCalls: [call.exec(`node -e "fetch(process.argv[1]).then((r) => r.text()).then((t) => process.stdout.write(t))" '${url}' > products.json && head -c 300 products.json`)] },
      { toolCalls: [call.read('products.json')] },
      { toolCalls: [call.write('result.json', body(want))] },
      { text: `${want.length} products match; saved to result.json.` },
    ),
    nearMiss: solution(
      { toolCalls: [call.fetch(`${BASE}/api/v1/products?category=${cat}&max_price=${maxPrice}`)] },
      { toolCalls: [call.write('result.json', body(sloppy))] },
      { text: `${sloppy.length} products match; saved to result.json.` },
    ),
  };
}

interface Project {
  id: number;
  name: string;
  owner_id: number;
  status: string;
}

function level3(rng: ProbeRng, seed: number): ProbeInstance {
  const teams = distinctWords(rng, 3, SIMPLE_SOUNDS);
  const team = teams[0]!;
  const people = Array.from({ length: rng.int(5, 8) }, (_, i) => ({ id: 10 + i * rng.int(1, 7) + rng.int(0, 3) * 100, name: `${capitalize(simpleWord(rng))} ${capitalize(simpleWord(rng))}`, team: rng.pick(teams) }));
  // Unique ids; at least two people on the asked team and one on another.
  const seen = new Set<number>();
  for (const p of people) {
    while (seen.has(p.id)) p.id++;
    seen.add(p.id);
  }
  people[0]!.team = team;
  people[1]!.team = team;
  people[2]!.team = teams[1]!;
  const perPage = rng.int(3, 5);
  const total = rng.int(perPage * 3, perPage * 4 + 2);
  const names = distinctWords(rng, total, SIMPLE_SOUNDS).map((w) => `${capitalize(w)} ${rng.pick(['Portal', 'Sync', 'Engine', 'Atlas', 'Relay', 'Vault', 'Beacon'])}`);
  const statuses = ['active', 'active', 'paused', 'archived'];
  const projects: Project[] = names.map((name, i) => ({ id: 500 + i * 3 + rng.int(0, 2), name, owner_id: rng.pick(people).id, status: rng.pick(statuses) }));
  const onTeam = (p: Project) => people.find((x) => x.id === p.owner_id)!.team === team;
  // One qualifying project on the first page and one on the last, so following the pages matters.
  const first = rng.int(0, perPage - 1);
  const last = rng.int(perPage * Math.floor((total - 1) / perPage), total - 1);
  for (const i of [first, last]) Object.assign(projects[i]!, { status: 'active', owner_id: rng.pick([people[0]!, people[1]!]).id });
  const pages = Math.ceil(total / perPage);
  const page = (n: number) => ({
    page: n,
    per_page: perPage,
    total_pages: pages,
    next_page: n < pages ? n + 1 : null,
    items: projects.slice((n - 1) * perPage, n * perPage),
  });
  const server = jsonServer((p, q) => {
    if (p === '/api/v1/projects') {
      const raw = q.get('page') ?? '1';
      const n = Number(raw);
      if (!Number.isInteger(n) || n < 1) return [400, { error: 'page must be a positive integer' }];
      return [200, page(n)];
    }
    const m = /^\/api\/v1\/people\/(\d+)$/.exec(p);
    if (m) {
      const who = people.find((x) => x.id === Number(m[1]));
      return who ? [200, who] : [404, { error: 'no such person' }];
    }
    return [404, { error: 'not found' }];
  });
  const want = projects.filter((p) => p.status === 'active' && onTeam(p)).map((p) => p.name).sort();
  const firstPageOnly = projects.slice(0, perPage).filter((p) => p.status === 'active' && onTeam(p)).map((p) => p.name).sort();
  const prompt =
    `API:\n` +
    `- \`GET ${BASE}/api/v1/projects?page=<n>\`: one page of projects (\`id\`, \`name\`, \`owner_id\`, \`status\`), ` +
    `plus \`page\`, \`total_pages\`, \`next_page\`.\n` +
    `- \`GET ${BASE}/api/v1/people/<id>\`: a person (\`id\`, \`name\`, \`team\`).\n` +
    `Find every \`active\` project whose owner is on team \`${team}\`. Write their names to \`result.json\` ` +
    `as a JSON array of strings sorted alphabetically.`;
  const owners = [...new Set(projects.map((p) => p.owner_id))];
  const body = (names: string[]) => JSON.stringify(names, null, 2) + '\n';
  return {
    primitiveId: ID,
    level: 'L3',
    seed,
    prompt,
    setupFiles: {},
    requires: [],
    server,
    web: true,
    async check(ctx) {
      const got = await ctx.readFile('result.json');
      if (got === undefined) return [cp('file_exists', false, 'result.json was not created')];
      const v = parseJsonLoose(got);
      if (!Array.isArray(v)) return [cp('file_exists', true), cp('json_array', false, 'result.json is not a JSON array')];
      const names = v.map((x) => String(x).trim());
      const missing = want.filter((n) => !names.includes(n));
      const extra = names.filter((n) => !want.includes(n));
      const sorted = isAlphabetical(names);
      return [
        cp('file_exists', true),
        cp('json_array', true),
        cp('projects_correct', missing.length === 0 && extra.length === 0 && names.length === want.length, `missing ${JSON.stringify(missing)}, unexpected ${JSON.stringify(extra)}`),
        cp('sorted', sorted, 'names are not in alphabetical order'),
      ];
    },
    reference: solution(
      { toolCalls: [call.fetch(`${BASE}/api/v1/projects?page=1`)] },
      { toolCalls: Array.from({ length: pages - 1 }, (_, i) => call.fetch(`${BASE}/api/v1/projects?page=${i + 2}`)) },
      { toolCalls: owners.map((id) => call.fetch(`${BASE}/api/v1/people/${id}`)) },
      { toolCalls: [call.write('result.json', body(want))] },
      { text: `${want.length} active projects are owned by team ${team}; the list is in result.json.` },
    ),
    // Reads only the first page of projects.
    nearMiss: solution(
      { toolCalls: [call.fetch(`${BASE}/api/v1/projects`)] },
      { toolCalls: [...new Set(projects.slice(0, perPage).map((p) => p.owner_id))].map((id) => call.fetch(`${BASE}/api/v1/people/${id}`)) },
      { toolCalls: [call.write('result.json', body(firstPageOnly))] },
      { text: `${firstPageOnly.length} active projects are owned by team ${team}; saved to result.json.` },
    ),
  };
}

export const generator = generatorByLevel(ID, {
  L1: 'GET one record from a local JSON API and save one nested field (the owner’s, beside a reviewer with the same fields).',
  L2: 'GET a local search API with three query parameters (category, max_price, in_stock) and save the count and ids of the results.',
  L3: 'Combine a paginated list endpoint (3–5 pages) with a per-person lookup endpoint of a local API to select projects by owner team.',
}, { L1: level1, L2: level2, L3: level3 });
