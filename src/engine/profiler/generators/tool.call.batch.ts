import * as path from 'node:path';
import { pathArgumentOf, toolKind } from '../../agent/harness-tools.js';
import type { AgentStep } from '../../agent/types.js';
import { call, cp, generatorByLevel, solution, type ProbeRng } from '../toolkit.js';
import type { ProbeCheckpoint, ProbeInstance } from '../types.js';
import { distinctWords, SIMPLE_SOUNDS, simpleWord } from '../gen/words.js';
import { firstLineDiff, trimmedLines } from '../gen/text.js';

/**
 * tool.call.batch — batching parallel tool calls. Every level asks for all reads to be issued
 * together in one turn, and the check finds, in the recorded steps, one assistant turn holding a
 * read_file call for every required file (reads spread over several turns fail), besides
 * checking the result.
 *  L1  two files read together, concatenated.
 *  L2  five files read together, unit totals per item aggregated across them.
 *  L3  6–8 price lists read together; per product offered by several stores, the cheapest store.
 */

const ID = 'tool.call.batch';

function normPath(p: string, workDir: string): string {
  let s = p.replace(/\\/g, '/');
  const root = workDir.replace(/\\/g, '/').replace(/\/+$/, '');
  if (s === root) s = '.';
  else if (s.startsWith(`${root}/`)) s = s.slice(root.length + 1);
  return path.posix.normalize(s).replace(/^\.\//, '');
}

/** The largest number of the required files read by read calls (read_file, or a harness's Read) of one single turn. */
function batchedReads(steps: AgentStep[], workDir: string, required: readonly string[]): { ok: boolean; best: number; turns: number } {
  const want = new Set(required.map((r) => normPath(r, workDir)));
  let best = 0;
  const turnsWithReads = new Set<number>();
  steps.forEach((s, i) => {
    if (s.role !== 'assistant') return;
    const got = new Set(
      s.toolCalls.flatMap((c) => {
        const p = toolKind(c.name) === 'read' ? pathArgumentOf(c.input) : undefined;
        return p === undefined ? [] : [normPath(p, workDir)];
      }),
    );
    const hit = [...want].filter((w) => got.has(w)).length;
    if (hit > 0) turnsWithReads.add(i);
    best = Math.max(best, hit);
  });
  return { ok: best === want.size, best, turns: turnsWithReads.size };
}

function batchCheckpoint(steps: AgentStep[], workDir: string, required: readonly string[]): ProbeCheckpoint {
  const b = batchedReads(steps, workDir, required);
  return cp(
    'reads_batched',
    b.ok,
    `expected one turn with read_file calls for all ${required.length} files; at most ${b.best} were read together (reads spread over ${b.turns} turns)`,
  );
}

function batchSentence(n: number): string {
  return (
    `Read ${n === 2 ? 'both' : `all ${n}`} with read_file, all ${n} calls together in one turn (parallel calls), not one per turn.`
  );
}

function level1(rng: ProbeRng, seed: number): ProbeInstance {
  const [a, b] = distinctWords(rng, 2, SIMPLE_SOUNDS).map((w) => `${w}.txt`) as [string, string];
  const para = () => Array.from({ length: rng.int(2, 5) }, () => Array.from({ length: rng.int(3, 7) }, () => simpleWord(rng)).join(' ') + '.');
  const la = para();
  const lb = para();
  const out = rng.pick(['combined.txt', 'merged.txt', 'joined.txt']);
  const expected = [...la, ...lb];
  const prompt =
    `Files: \`${a}\`, \`${b}\`. ${batchSentence(2)}\n` +
    `Then write \`${out}\`: the lines of \`${a}\`, then those of \`${b}\`, unchanged.`;
  const reads = [call.read(a), call.read(b)];
  const text = expected.join('\n') + '\n';
  return {
    primitiveId: ID,
    level: 'L1',
    seed,
    prompt,
    setupFiles: { [a]: la.join('\n') + '\n', [b]: lb.join('\n') + '\n' },
    requires: [],
    async check(ctx) {
      const got = await ctx.readFile(out);
      const g = got === undefined ? [] : trimmedLines(got);
      return [
        cp('result_correct', got !== undefined && g.join('\n') === expected.join('\n'), got === undefined ? `${out} was not created` : firstLineDiff(g, expected)),
        batchCheckpoint(ctx.steps, ctx.workDir, [a, b]),
      ];
    },
    reference: solution({ toolCalls: reads }, { toolCalls: [call.write(out, text)] }, { text: `Wrote ${out}.` }),
    nearMiss: solution({ toolCalls: [reads[0]!] }, { toolCalls: [reads[1]!] }, { toolCalls: [call.write(out, text)] }, { text: `Wrote ${out}.` }),
  };
}

function level2(rng: ProbeRng, seed: number): ProbeInstance {
  const dir = rng.pick(['regions', 'depots', 'branches', 'sites']);
  const files = distinctWords(rng, 5, SIMPLE_SOUNDS).map((w) => `${dir}/${w}.csv`);
  const items = distinctWords(rng, rng.int(6, 9), SIMPLE_SOUNDS);
  const totals = new Map<string, number>();
  const setupFiles: Record<string, string> = {};
  for (const f of files) {
    const chosen = rng.sample(items, rng.int(3, Math.min(6, items.length)));
    const rows = chosen.map((it) => {
      const u = rng.int(1, 60);
      totals.set(it, (totals.get(it) ?? 0) + u);
      return `${it},${u}`;
    });
    setupFiles[f] = ['item,units', ...rows].join('\n') + '\n';
  }
  const out = 'totals.csv';
  const sorted = [...totals.entries()].sort((x, y) => y[1] - x[1] || (x[0] < y[0] ? -1 : 1));
  const expected = ['item,total', ...sorted.map(([it, n]) => `${it},${n}`)];
  const prompt =
    `CSV files (header \`item,units\`): ${files.join(', ')}. ${batchSentence(5)}\n` +
    `Then write \`${out}\`, header \`item,total\`, one row per item with its units summed over the five files, ` +
    `sorted by total (largest first), ties by item (A to Z).`;
  const reads = files.map((f) => call.read(f));
  const text = expected.join('\n') + '\n';
  return {
    primitiveId: ID,
    level: 'L2',
    seed,
    prompt,
    setupFiles,
    requires: [],
    async check(ctx) {
      const got = await ctx.readFile(out);
      const g = got === undefined ? [] : trimmedLines(got).map((l) => l.replace(/\s+/g, ''));
      return [
        cp('totals_correct', got !== undefined && g.join('\n') === expected.join('\n'), got === undefined ? `${out} was not created` : firstLineDiff(g, expected)),
        batchCheckpoint(ctx.steps, ctx.workDir, files),
      ];
    },
    reference: solution({ toolCalls: reads }, { toolCalls: [call.write(out, text)] }, { text: `Wrote ${out} with ${sorted.length} items.` }),
    nearMiss: solution(...reads.map((r) => ({ toolCalls: [r] })), { toolCalls: [call.write(out, text)] }, { text: `Wrote ${out} with ${sorted.length} items.` }),
  };
}

function level3(rng: ProbeRng, seed: number): ProbeInstance {
  const k = rng.int(6, 8);
  const dir = rng.pick(['prices', 'quotes', 'offers']);
  const stores = distinctWords(rng, k, SIMPLE_SOUNDS);
  const files = stores.map((s) => `${dir}/${s}.txt`);
  const products = distinctWords(rng, rng.int(8, 12), SIMPLE_SOUNDS);
  const offers = new Map<string, Array<{ store: string; cents: number }>>();
  for (const p of products) offers.set(p, []);
  const lists = new Map<string, string[]>();
  for (const s of stores) lists.set(s, []);
  for (const p of products) {
    // Most products at several stores, some at exactly one (those are left out of the answer).
    const n = rng.next() < 0.2 ? 1 : rng.int(2, Math.min(5, k));
    const at = rng.sample(stores, n);
    const used = new Set<number>();
    for (const s of at) {
      let cents = rng.int(150, 9000);
      while (used.has(cents)) cents++;
      used.add(cents);
      offers.get(p)!.push({ store: s, cents });
      lists.get(s)!.push(`${p}: ${(cents / 100).toFixed(2)}`);
    }
  }
  const setupFiles: Record<string, string> = {};
  for (const s of stores) {
    const ls = rng.shuffle(lists.get(s)!);
    setupFiles[`${dir}/${s}.txt`] = (ls.length ? ls : [`# no offers this week`]).join('\n') + '\n';
  }
  const rows = [...products]
    .sort()
    .filter((p) => offers.get(p)!.length >= 2)
    .map((p) => {
      const os = offers.get(p)!;
      const best = os.reduce((m, o) => (o.cents < m.cents ? o : m));
      return { product: p, store: best.store, cents: best.cents, count: os.length };
    });
  const out = 'best.csv';
  const expected = ['product,store,price,offers', ...rows.map((r) => `${r.product},${r.store},${(r.cents / 100).toFixed(2)},${r.count}`)];
  const prompt =
    `One price list per store, lines \`<product>: <price>\`: ${files.join(', ')}. ${batchSentence(k)}\n` +
    `Then write \`${out}\`, header \`product,store,price,offers\`, one row per product offered by at least two stores: ` +
    `the cheapest store (file name without \`.txt\`), its price with 2 decimals, ` +
    `and how many stores offer it. Rows sorted by product (A to Z); omit products only one store offers.`;
  const reads = files.map((f) => call.read(f));
  const text = expected.join('\n') + '\n';
  return {
    primitiveId: ID,
    level: 'L3',
    seed,
    prompt,
    setupFiles,
    requires: [],
    async check(ctx) {
      const got = await ctx.readFile(out);
      let reason = `${out} was not created`;
      let ok = false;
      if (got !== undefined) {
        const g = trimmedLines(got).map((l) => l.replace(/\s+/g, ''));
        const exp = expected.map((l) => l.split(','));
        const rowsOk =
          g.length === exp.length &&
          g.every((l, i) => {
            const c = l.split(',');
            const e = exp[i]!;
            if (i === 0) return l.toLowerCase() === expected[0];
            return c.length === 4 && c[0] === e[0] && c[1] === e[1] && Math.abs(Number(c[2]) - Number(e[2])) < 0.001 && Number(c[3]) === Number(e[3]);
          });
        ok = rowsOk;
        reason = firstLineDiff(g, expected);
      }
      return [cp('comparison_correct', ok, reason), batchCheckpoint(ctx.steps, ctx.workDir, files)];
    },
    reference: solution({ toolCalls: reads }, { toolCalls: [call.write(out, text)] }, { text: `Wrote ${out}: ${rows.length} products offered by two or more stores.` }),
    nearMiss: solution(...reads.map((r) => ({ toolCalls: [r] })), { toolCalls: [call.write(out, text)] }, { text: `Wrote ${out}: ${rows.length} products offered by two or more stores.` }),
  };
}

export const generator = generatorByLevel(ID, {
  L1: 'Read two files with read_file calls issued together in one turn and concatenate them; the check requires both reads in a single turn.',
  L2: 'Read five CSV files in one batched turn and aggregate per-item totals across them; batching and the totals are both checked.',
  L3: 'Read 6–8 price lists in one batched turn and compare them (cheapest store per product offered by ≥ 2 stores); batching and the comparison are both checked.',
}, { L1: level1, L2: level2, L3: level3 });
