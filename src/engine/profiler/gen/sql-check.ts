import { call, cp, solution } from '../toolkit.js';
import type { ProbeCheckContext, ProbeCheckpoint, ProbeInstance } from '../types.js';
import { PROGRAM_TIMEOUT_MS } from './code-check.js';

/**
 * Checking an SQLite query a model wrote (query.sql over setup.sql): run both in a fresh
 * in-memory sqlite3, compare the rows with the expected ones, list the indexes it created, and
 * run it again over a fresh data set of the same schema. Plus the literals and the reference
 * solution the gen.code.sql probes share.
 */

const INDEX_MARK = '__index_list__';

const sqlStr = (s: string) => `'${s.replace(/'/g, "''")}'`;

export function inserts(table: string, columns: string[], rows: Array<Array<string | number>>): string {
  return rows.map((r) => `INSERT INTO ${table} (${columns.join(', ')}) VALUES (${r.map((v) => (typeof v === 'number' ? String(v) : sqlStr(v))).join(', ')});`).join('\n');
}

export type Cell = string | number;
/** Expected cells: strings compare exactly, numbers within the column's tolerance. */
export interface Expected {
  columns: string[];
  rows: Cell[][];
  tolerance?: number;
}

function pipeline(fromStdin: boolean, withIndexes: boolean): string {
  const tail = withIndexes
    ? `printf '\\n;\\n.mode list\\n.headers off\\n.separator |\\n.print ${INDEX_MARK}\\nSELECT m.tbl_name, ii.name FROM sqlite_master m, pragma_index_info(m.name) ii WHERE m.type = \\047index\\047 AND ii.seqno = 0;\\n'`
    : `printf '\\n;\\n'`;
  return `{ ${fromStdin ? 'cat' : 'cat setup.sql'}; cat query.sql; ${tail}; } | sqlite3 -bail -batch`;
}

function parseRows(stdout: string): string[][] {
  return stdout
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l.length > 0)
    .map((l) => l.split('|').map((c) => c.trim()));
}

function compareRows(stdout: string, want: Expected): string | undefined {
  let rows = parseRows(stdout);
  // A header row (from `.headers on`) is tolerated.
  if (rows.length && rows[0]!.length === want.columns.length && rows[0]!.every((c, i) => c.toLowerCase() === want.columns[i]!.toLowerCase())) rows = rows.slice(1);
  const show = (r: Cell[]) => r.map((c) => (typeof c === 'number' ? String(Number(c.toFixed(4))) : c)).join('|');
  if (rows.length !== want.rows.length) return `the query returned ${rows.length} row(s), expected ${want.rows.length}: ${want.rows.map(show).join('; ')}`;
  for (let i = 0; i < want.rows.length; i++) {
    const w = want.rows[i]!;
    const g = rows[i]!;
    const ok =
      g.length === w.length &&
      w.every((cell, j) => {
        if (typeof cell === 'string') return g[j] === cell;
        const v = Number(g[j]);
        return g[j] !== '' && Number.isFinite(v) && Math.abs(v - cell) <= (want.tolerance ?? 1e-9);
      });
    if (!ok) return `row ${i + 1} is ${JSON.stringify(g.join('|'))}, expected ${JSON.stringify(show(w))}`;
  }
  return undefined;
}

export interface SqlTask {
  want: Expected;
  freshSetup: string;
  wantFresh: Expected;
  /** [table, leading column] pairs that must each lead some index after query.sql ran. */
  indexes?: Array<[string, string]>;
  queryChecks?(query: string): ProbeCheckpoint[];
}

function splitIndexList(stdout: string, withIndexes: boolean): { rows: string; indexes: Array<[string, string]> } {
  if (!withIndexes) return { rows: stdout, indexes: [] };
  const at = stdout.lastIndexOf(INDEX_MARK);
  if (at < 0) return { rows: stdout, indexes: [] };
  const indexes = parseRows(stdout.slice(at + INDEX_MARK.length)).map((r) => [r[0]!.toLowerCase(), (r[1] ?? '').toLowerCase()] as [string, string]);
  return { rows: stdout.slice(0, at), indexes };
}

export async function checkSql(ctx: ProbeCheckContext, task: SqlTask): Promise<ProbeCheckpoint[]> {
  const query = await ctx.readFile('query.sql');
  if (query === undefined || query.trim() === '') return [cp('query_created', false, 'query.sql was not written')];
  const out: ProbeCheckpoint[] = [cp('query_created', true), ...(task.queryChecks?.(query) ?? [])];
  const withIndexes = (task.indexes?.length ?? 0) > 0;

  const res = await ctx.run(pipeline(false, withIndexes), { timeoutMs: PROGRAM_TIMEOUT_MS });
  const valid = res.exitCode === 0 && !res.timedOut;
  out.push(cp('query_valid', valid, valid ? undefined : `sqlite3 failed (exit ${res.exitCode ?? res.signal}): ${res.stderr.slice(0, 200)}`));
  if (!valid) return out;
  const given = splitIndexList(res.stdout, withIndexes);
  const bad = compareRows(given.rows, task.want);
  out.push(cp('result_correct', bad === undefined, bad));
  if (withIndexes) {
    const missing = task.indexes!.filter(([t, c]) => !given.indexes.some(([it, ic]) => it === t && ic === c));
    out.push(cp('indexes_created', missing.length === 0, `no index leads with ${missing.map(([t, c]) => `${t}.${c}`).join(', ')}`));
  }

  const again = await ctx.run(pipeline(true, false), { stdin: task.freshSetup, timeoutMs: PROGRAM_TIMEOUT_MS });
  const freshBad = again.exitCode === 0 ? compareRows(again.stdout, task.wantFresh) : `sqlite3 failed (exit ${again.exitCode ?? again.signal}): ${again.stderr.slice(0, 200)}`;
  out.push(cp('generalizes', freshBad === undefined, freshBad && `on a fresh data set with the same schema: ${freshBad}`));
  return out;
}

export function sqlSolution(query: string, summary: string): ProbeInstance['reference'] {
  return solution(
    { toolCalls: [call.read('setup.sql')] },
    { toolCalls: [call.write('query.sql', query)] },
    { toolCalls: [call.exec('rm -f try.db && sqlite3 try.db < setup.sql && sqlite3 try.db < query.sql')] },
    { text: summary },
  );
}
