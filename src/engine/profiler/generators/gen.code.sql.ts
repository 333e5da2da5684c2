import { cp, generatorByLevel, type ProbeRng } from '../toolkit.js';
import type { ProbeCheckpoint, ProbeInstance } from '../types.js';
import { distinctNames, RICH_SOUNDS } from '../gen/words.js';
import { checkSql, inserts, sqlSolution, type Cell, type Expected } from '../gen/sql-check.js';

/**
 * gen.code.sql — the agent writes query.sql for an SQLite database described by setup.sql. The
 * check runs setup.sql + query.sql in a fresh in-memory sqlite3 and compares the rows with the
 * answer computed here, then runs the same query over a fresh data set of the same schema, so a
 * query that selects literal answers fails. L1 WHERE + aggregates, L2 JOIN/GROUP BY with a
 * per-group subquery (ties impossible by construction), L3 CTEs + window ranking over four
 * tables, with supporting indexes created first.
 */

const PRIMITIVE_ID = 'gen.code.sql';

/** How the check runs query.sql (sqlite3 defaults), and that setup.sql must stay as it is. */
const SQL_OUTPUT = "Keep sqlite3's default output (| between columns, no header); leave setup.sql unchanged.";

// ── L1: WHERE + aggregates ─────────────────────────────────────────────────────────────────

interface Theme {
  table: string;
  group: string;
  price: string;
  qty: string;
}

const THEMES: Theme[] = [
  { table: 'products', group: 'category', price: 'price', qty: 'stock' },
  { table: 'books', group: 'genre', price: 'price', qty: 'copies' },
  { table: 'parts', group: 'supplier', price: 'unit_cost', qty: 'on_hand' },
  { table: 'wines', group: 'region', price: 'price', qty: 'bottles' },
  { table: 'tools', group: 'brand', price: 'price', qty: 'quantity' },
];

type L1Kind = 'count_total' | 'avg' | 'min_max';

interface L1Row {
  id: number;
  name: string;
  group: string;
  price: number;
  qty: number;
}

interface L1Params {
  kind: L1Kind;
  g: string;
  p: number;
  q: number;
}

function l1Rows(rng: ProbeRng, groups: string[], par: L1Params): L1Row[] {
  const n = rng.int(12, 24);
  const names = distinctNames(rng, n, RICH_SOUNDS);
  const rows = names.map((name, i) => ({ id: i + 1, name, group: rng.pick(groups), price: rng.int(100, 9999) / 100, qty: rng.int(0, 60) }));
  const [a, b, c] = rng.sample(
    rows.map((_, i) => i),
    3,
  ) as [number, number, number];
  if (par.kind === 'count_total') {
    // A row exactly at the price limit in the group, one above it.
    Object.assign(rows[a]!, { group: par.g, price: par.p });
    Object.assign(rows[b]!, { group: par.g, price: Number((par.p + rng.int(1, 3000) / 100).toFixed(2)) });
  } else if (par.kind === 'avg') {
    // A row exactly at the quantity limit, and rows on both sides of it.
    rows[a]!.qty = par.q;
    rows[b]!.qty = rng.int(0, par.q - 1);
    rows[c]!.qty = par.q + rng.int(1, 20);
  } else {
    // The row exactly at the quantity limit holds the lowest price overall, and one row is above it.
    rows[a]!.qty = par.q;
    rows[a]!.price = Math.min(...rows.map((r) => r.price)) - 0.5 > 0.1 ? Number((Math.min(...rows.map((r) => r.price)) - 0.5).toFixed(2)) : 0.1;
    rows[b]!.qty = par.q + rng.int(1, 20);
  }
  return rows;
}

function l1Answer(rows: L1Row[], par: L1Params): Expected {
  if (par.kind === 'count_total') {
    const sel = rows.filter((r) => r.group === par.g && r.price > par.p);
    return { columns: ['count', 'total'], rows: [[sel.length, sel.reduce((s, r) => s + r.qty, 0)]] };
  }
  if (par.kind === 'avg') {
    const sel = rows.filter((r) => r.qty < par.q);
    return { columns: ['count', 'average'], rows: [[sel.length, sel.reduce((s, r) => s + r.price, 0) / sel.length]], tolerance: 0.005 + 1e-9 };
  }
  const sel = rows.filter((r) => r.qty >= par.q).map((r) => r.price);
  return { columns: ['lowest', 'highest'], rows: [[Math.min(...sel), Math.max(...sel)]], tolerance: 1e-6 };
}

function l1Setup(th: Theme, rows: L1Row[]): string {
  return [
    `CREATE TABLE ${th.table} (`,
    '  id INTEGER PRIMARY KEY,',
    '  name TEXT NOT NULL,',
    `  ${th.group} TEXT NOT NULL,`,
    `  ${th.price} REAL NOT NULL,`,
    `  ${th.qty} INTEGER NOT NULL`,
    ');',
    inserts(
      th.table,
      ['id', 'name', th.group, th.price, th.qty],
      rows.map((r) => [r.id, r.name, r.group, r.price, r.qty]),
    ),
    '',
  ].join('\n');
}

function generateL1(rng: ProbeRng, seed: number): ProbeInstance {
  const th = rng.pick(THEMES);
  const groups = distinctNames(rng, rng.int(3, 4), RICH_SOUNDS);
  const par: L1Params = { kind: rng.pick<L1Kind>(['count_total', 'avg', 'min_max']), g: groups[0]!, p: rng.int(2000, 7000) / 100, q: rng.int(10, 40) };
  const rows = l1Rows(rng, groups, par);
  const fresh = l1Rows(rng, groups, par);
  const want = l1Answer(rows, par);
  const wantFresh = l1Answer(fresh, par);

  const ask =
    par.kind === 'count_total'
      ? `the number of rows with ${th.group} '${par.g}' and ${th.price} > ${par.p}, then the sum of their ${th.qty}`
      : par.kind === 'avg'
        ? `the number of rows with ${th.qty} < ${par.q}, then their average ${th.price} rounded to 2 decimals`
        : `the lowest, then the highest ${th.price} among rows with ${th.qty} >= ${par.q}`;
  const prompt = [
    `setup.sql creates and fills the SQLite table ${th.table}.`,
    `Write query.sql returning one row: ${ask}.`,
    SQL_OUTPUT,
  ].join('\n');

  const where = (wrong: boolean) =>
    par.kind === 'count_total'
      ? `${th.group} = '${par.g}' AND ${th.price} ${wrong ? '>=' : '>'} ${par.p}`
      : par.kind === 'avg'
        ? `${th.qty} ${wrong ? '<=' : '<'} ${par.q}`
        : `${th.qty} ${wrong ? '>' : '>='} ${par.q}`;
  const select = par.kind === 'count_total' ? `COUNT(*), SUM(${th.qty})` : par.kind === 'avg' ? `COUNT(*), ROUND(AVG(${th.price}), 2)` : `MIN(${th.price}), MAX(${th.price})`;
  const q = (wrong: boolean) => `SELECT ${select}\nFROM ${th.table}\nWHERE ${where(wrong)};\n`;

  return {
    primitiveId: PRIMITIVE_ID,
    level: 'L1',
    seed,
    prompt,
    setupFiles: { 'setup.sql': l1Setup(th, rows) },
    requires: ['sqlite3'],
    check: (ctx) => checkSql(ctx, { want, freshSetup: l1Setup(th, fresh), wantFresh }),
    reference: sqlSolution(q(false), 'query.sql is written and returns the requested row.'),
    nearMiss: sqlSolution(q(true), 'query.sql is written and returns the requested row.'),
  };
}

// ── L2: JOIN, GROUP BY, per-group subquery ─────────────────────────────────────────────────

interface L2Data {
  depts: Array<{ id: number; name: string; city: string }>;
  emps: Array<{ id: number; name: string; dept: number; salary: number; hired: string }>;
}

function l2Data(rng: ProbeRng): L2Data {
  const nd = rng.int(4, 6);
  const names = distinctNames(rng, nd, RICH_SOUNDS);
  const cities = distinctNames(rng, 3, RICH_SOUNDS);
  let nextId = rng.int(1, 20);
  const depts = names.map((name) => ({ id: (nextId += rng.int(1, 9)), name, city: rng.pick(cities) }));
  const empty = rng.sample(depts, rng.int(1, 2)).map((d) => d.id);
  const staffed = depts.filter((d) => !empty.includes(d.id));
  // Headcounts: the largest department has strictly more people than any other.
  const counts = staffed.map(() => rng.int(1, 5));
  const biggest = rng.int(0, staffed.length - 1);
  counts[biggest] = Math.max(...counts.filter((_, i) => i !== biggest), 0) + rng.int(1, 2);
  const total = counts.reduce((a, b) => a + b, 0);
  const people = distinctNames(rng, total, RICH_SOUNDS);
  const salaries = rng.sample(
    Array.from({ length: 400 }, (_, i) => 32000 + i * 250),
    total,
  );
  const emps: L2Data['emps'] = [];
  let k = 0;
  staffed.forEach((d, i) => {
    for (let j = 0; j < counts[i]!; j++) {
      emps.push({ id: 100 + k, name: people[k]!, dept: d.id, salary: salaries[k]!, hired: `20${rng.int(10, 23)}-${String(rng.int(1, 12)).padStart(2, '0')}-${String(rng.int(1, 28)).padStart(2, '0')}` });
      k++;
    }
  });
  return { depts, emps: rng.shuffle(emps).map((e, i) => ({ ...e, id: 100 + i })) };
}

function l2Answer(d: L2Data): Expected {
  const rows = d.depts
    .map((dep) => {
      const es = d.emps.filter((e) => e.dept === dep.id);
      if (!es.length) return undefined;
      const top = es.reduce((a, b) => (b.salary > a.salary ? b : a));
      return [dep.name, es.length, top.name] as Cell[];
    })
    .filter((r): r is Cell[] => r !== undefined)
    .sort((a, b) => (b[1] as number) - (a[1] as number) || ((a[0] as string) < (b[0] as string) ? -1 : 1));
  return { columns: ['department', 'headcount', 'top_earner'], rows };
}

interface L2Vocab {
  units: string;
  unit: string;
  fk: string;
  people: string;
  pay: string;
}

const L2_UNITS: Array<[string, string]> = [
  ['departments', 'department'],
  ['teams', 'team'],
  ['divisions', 'division'],
  ['offices', 'office'],
  ['labs', 'lab'],
  ['studios', 'studio'],
];

function l2Setup(d: L2Data, v: L2Vocab): string {
  return [
    `CREATE TABLE ${v.units} (`,
    '  id INTEGER PRIMARY KEY,',
    '  name TEXT NOT NULL,',
    '  city TEXT NOT NULL',
    ');',
    `CREATE TABLE ${v.people} (`,
    '  id INTEGER PRIMARY KEY,',
    '  name TEXT NOT NULL,',
    `  ${v.fk} INTEGER NOT NULL REFERENCES ${v.units}(id),`,
    `  ${v.pay} INTEGER NOT NULL,`,
    '  hired_on TEXT NOT NULL',
    ');',
    inserts(
      v.units,
      ['id', 'name', 'city'],
      d.depts.map((x) => [x.id, x.name, x.city]),
    ),
    inserts(
      v.people,
      ['id', 'name', v.fk, v.pay, 'hired_on'],
      d.emps.map((e) => [e.id, e.name, e.dept, e.salary, e.hired]),
    ),
    '',
  ].join('\n');
}

function generateL2(rng: ProbeRng, seed: number): ProbeInstance {
  const [units, unit] = rng.pick(L2_UNITS);
  const v: L2Vocab = { units, unit, fk: `${unit}_id`, people: rng.pick(['employees', 'staff', 'members', 'workers']), pay: rng.pick(['salary', 'pay', 'annual_salary', 'wage']) };
  const data = l2Data(rng);
  const fresh = l2Data(rng);
  const want = l2Answer(data);
  const wantFresh = l2Answer(fresh);
  const prompt = [
    `setup.sql creates and fills the SQLite tables ${v.units} and ${v.people} (${v.people}.${v.fk} refers to ${v.units}.id).`,
    `Write query.sql listing each ${unit} with at least one person in ${v.people}: its name, its number of people, and the name of its person with the highest ${v.pay}. Order by number of people descending, then ${unit} name.`,
    SQL_OUTPUT,
  ].join('\n');

  const q = (outer: boolean) =>
    [
      'SELECT u.name,',
      '       COUNT(p.id) AS headcount,',
      `       (SELECT p2.name FROM ${v.people} p2 WHERE p2.${v.fk} = u.id ORDER BY p2.${v.pay} DESC LIMIT 1) AS top_earner`,
      `FROM ${v.units} u`,
      `${outer ? 'LEFT JOIN' : 'JOIN'} ${v.people} p ON p.${v.fk} = u.id`,
      'GROUP BY u.id, u.name',
      'ORDER BY headcount DESC, u.name;',
      '',
    ].join('\n');

  return {
    primitiveId: PRIMITIVE_ID,
    level: 'L2',
    seed,
    prompt,
    setupFiles: { 'setup.sql': l2Setup(data, v) },
    requires: ['sqlite3'],
    check: (ctx) => checkSql(ctx, { want, freshSetup: l2Setup(fresh, v), wantFresh }),
    reference: sqlSolution(q(false), `query.sql lists the staffed ${units} with headcount and top earner.`),
    nearMiss: sqlSolution(q(true), `query.sql lists the ${units} with headcount and top earner.`),
  };
}

// ── L3: CTEs + window ranking over four tables, with indexes ───────────────────────────────

interface L3Data {
  regions: string[];
  customers: Array<{ id: number; name: string; region: string }>;
  products: Array<{ id: number; name: string; price: number }>;
  orders: Array<{ id: number; customer: number; status: string; date: string }>;
  items: Array<{ order: number; product: number; qty: number }>;
}

interface L3Vocab {
  area: string;
  done: string;
  statuses: string[];
}

function l3Draw(rng: ProbeRng, v: L3Vocab): L3Data {
  const regions = distinctNames(rng, rng.int(3, 4), RICH_SOUNDS);
  const custNames = distinctNames(rng, rng.int(9, 15), RICH_SOUNDS);
  const customers = custNames.map((name, i) => ({ id: i + 1, name, region: i < regions.length * 2 ? regions[i % regions.length]! : rng.pick(regions) }));
  const products = distinctNames(rng, rng.int(6, 10), RICH_SOUNDS).map((name, i) => ({ id: 101 + i, name, price: rng.int(199, 9999) / 100 }));
  const orders: L3Data['orders'] = [];
  const items: L3Data['items'] = [];
  const nOrders = rng.int(24, 40);
  for (let i = 0; i < nOrders; i++) {
    const id = 1001 + i;
    orders.push({ id, customer: rng.pick(customers).id, status: rng.next() < 0.65 ? v.done : rng.pick(v.statuses), date: `2024-${String(rng.int(1, 12)).padStart(2, '0')}-${String(rng.int(1, 28)).padStart(2, '0')}` });
    for (const p of rng.sample(products, rng.int(1, 4))) items.push({ order: id, product: p.id, qty: rng.int(1, 5) });
  }
  return { regions, customers, products, orders, items };
}

function l3Revenue(d: L3Data, v: L3Vocab, filterDone: boolean): Map<string, Map<string, number>> {
  const cust = new Map(d.customers.map((c) => [c.id, c]));
  const ord = new Map(d.orders.map((o) => [o.id, o]));
  const prod = new Map(d.products.map((p) => [p.id, p]));
  const out = new Map<string, Map<string, number>>();
  for (const it of d.items) {
    const o = ord.get(it.order)!;
    if (filterDone && o.status !== v.done) continue;
    const region = cust.get(o.customer)!.region;
    const p = prod.get(it.product)!;
    const m = out.get(region) ?? new Map<string, number>();
    m.set(p.name, (m.get(p.name) ?? 0) + it.qty * p.price);
    out.set(region, m);
  }
  return out;
}

function l3Rows(rev: Map<string, Map<string, number>>, k: number): Cell[][] {
  const rows: Cell[][] = [];
  for (const region of [...rev.keys()].sort()) {
    const ranked = [...rev.get(region)!.entries()].sort((a, b) => b[1] - a[1]).slice(0, k);
    ranked.forEach(([name, r], i) => rows.push([region, name, Math.round(r * 100) / 100, i + 1]));
  }
  return rows;
}

/** A data set where every region has more than k products sold, no revenue ties near the cut, and the status filter matters. */
function l3Data(rng: ProbeRng, v: L3Vocab, k: number): L3Data {
  for (;;) {
    const d = l3Draw(rng, v);
    const rev = l3Revenue(d, v, true);
    if (rev.size !== d.regions.length) continue;
    const fine = [...rev.values()].every((m) => {
      const v = [...m.values()].sort((a, b) => b - a);
      if (v.length <= k) return false;
      for (let i = 0; i < k; i++) if (Math.abs(v[i]! - v[i + 1]!) < 0.02) return false;
      return true;
    });
    if (!fine) continue;
    if (JSON.stringify(l3Rows(rev, k)) === JSON.stringify(l3Rows(l3Revenue(d, v, false), k))) continue;
    return d;
  }
}

function l3Setup(d: L3Data, v: L3Vocab): string {
  return [
    `CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT NOT NULL, ${v.area} TEXT NOT NULL);`,
    'CREATE TABLE products (id INTEGER PRIMARY KEY, name TEXT NOT NULL, unit_price REAL NOT NULL);',
    'CREATE TABLE orders (id INTEGER PRIMARY KEY, customer_id INTEGER NOT NULL REFERENCES customers(id), status TEXT NOT NULL, ordered_on TEXT NOT NULL);',
    'CREATE TABLE order_items (order_id INTEGER NOT NULL REFERENCES orders(id), product_id INTEGER NOT NULL REFERENCES products(id), quantity INTEGER NOT NULL);',
    inserts(
      'customers',
      ['id', 'name', v.area],
      d.customers.map((c) => [c.id, c.name, c.region]),
    ),
    inserts(
      'products',
      ['id', 'name', 'unit_price'],
      d.products.map((p) => [p.id, p.name, p.price]),
    ),
    inserts(
      'orders',
      ['id', 'customer_id', 'status', 'ordered_on'],
      d.orders.map((o) => [o.id, o.customer, o.status, o.date]),
    ),
    inserts(
      'order_items',
      ['order_id', 'product_id', 'quantity'],
      d.items.map((i) => [i.order, i.product, i.qty]),
    ),
    '',
  ].join('\n');
}

function generateL3(rng: ProbeRng, seed: number): ProbeInstance {
  const [done, ...others] = rng.pick([
    ['shipped', 'pending', 'cancelled'],
    ['delivered', 'processing', 'returned'],
    ['completed', 'open', 'refunded'],
    ['paid', 'draft', 'void'],
  ]) as [string, ...string[]];
  const v: L3Vocab = { area: rng.pick(['region', 'country', 'territory', 'market']), done, statuses: [done, ...others] };
  const k = rng.int(2, 3);
  const data = l3Data(rng, v, k);
  const fresh = l3Data(rng, v, k);
  const want: Expected = { columns: [v.area, 'product', 'revenue', 'rank'], rows: l3Rows(l3Revenue(data, v, true), k), tolerance: 0.006 };
  const wantFresh: Expected = { ...want, rows: l3Rows(l3Revenue(fresh, v, true), k) };

  const prompt = [
    'setup.sql creates and fills the SQLite tables customers, products, orders and order_items.',
    `Write query.sql giving each customer ${v.area}'s top ${k} products by revenue: sum of quantity * unit_price over items of orders with status '${done}' by customers in that ${v.area}.`,
    `Columns: ${v.area}, product name, revenue rounded to 2 decimals, rank (1 = highest in the ${v.area}); order by ${v.area}, rank. Use CTEs (WITH …) and a window function for the rank.`,
    'Start query.sql with CREATE INDEX IF NOT EXISTS on at least orders.customer_id and order_items.order_id.',
    SQL_OUTPUT,
  ].join('\n');

  const q = (filter: boolean) =>
    [
      'CREATE INDEX IF NOT EXISTS idx_orders_customer ON orders(customer_id);',
      'CREATE INDEX IF NOT EXISTS idx_items_order ON order_items(order_id);',
      'CREATE INDEX IF NOT EXISTS idx_items_product ON order_items(product_id);',
      '',
      'WITH shipped AS (',
      `  SELECT o.id, c.${v.area} AS region`,
      '  FROM orders o',
      '  JOIN customers c ON c.id = o.customer_id',
      ...(filter ? [`  WHERE o.status = '${done}'`] : []),
      '),',
      'revenue AS (',
      '  SELECT s.region, p.name AS product, SUM(oi.quantity * p.unit_price) AS revenue',
      '  FROM shipped s',
      '  JOIN order_items oi ON oi.order_id = s.id',
      '  JOIN products p ON p.id = oi.product_id',
      '  GROUP BY s.region, p.id, p.name',
      '),',
      'ranked AS (',
      '  SELECT region, product, revenue,',
      '         RANK() OVER (PARTITION BY region ORDER BY revenue DESC) AS rnk',
      '  FROM revenue',
      ')',
      'SELECT region, product, ROUND(revenue, 2) AS revenue, rnk',
      'FROM ranked',
      `WHERE rnk <= ${k}`,
      'ORDER BY region, rnk;',
      '',
    ].join('\n');

  const queryChecks = (query: string): ProbeCheckpoint[] => {
    const noComments = query.replace(/--[^\n]*/g, '').replace(/\/\*[\s\S]*?\*\//g, '');
    return [cp('uses_cte', /\bWITH\b[\s\S]*\bAS\s*\(/i.test(noComments), 'query.sql has no common table expression (WITH … AS (…))')];
  };

  return {
    primitiveId: PRIMITIVE_ID,
    level: 'L3',
    seed,
    prompt,
    setupFiles: { 'setup.sql': l3Setup(data, v) },
    requires: ['sqlite3'],
    check: (ctx) =>
      checkSql(ctx, {
        want,
        freshSetup: l3Setup(fresh, v),
        wantFresh,
        indexes: [
          ['orders', 'customer_id'],
          ['order_items', 'order_id'],
        ],
        queryChecks,
      }),
    reference: sqlSolution(q(true), `query.sql creates the indexes and ranks the top ${k} products per ${v.area} over ${done} orders.`),
    nearMiss: sqlSolution(q(false), `query.sql creates the indexes and ranks the top ${k} products per ${v.area}.`),
  };
}

export const generator = generatorByLevel(PRIMITIVE_ID, {
  L1: 'Write an SQLite query with WHERE filters and basic aggregates (COUNT, SUM, AVG, MIN/MAX) over one table.',
  L2: 'Write an SQLite query joining two tables with GROUP BY and a per-group subquery (headcount and top earner per department).',
  L3: 'Write an SQLite query over four tables using CTEs and a window-function ranking, preceded by the supporting indexes.',
}, { L1: generateL1, L2: generateL2, L3: generateL3 });
