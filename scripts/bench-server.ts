/**
 * npm run bench:server — start-up and listing latency of the built server, and the size of a
 * production install. Prints medians over 20 runs; targets are in the issue, not asserted here.
 */
import { execFileSync, spawn } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client } from '@modelcontextprotocol/client';
import { StdioClientTransport } from '@modelcontextprotocol/client/stdio';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const SERVER = path.join(REPO, 'dist/bin/skvm-mcp.js');
const FLOOR = path.join(REPO, 'dist/scripts/bench-floor-server.js');
const UPSTREAM_PROFILE = path.resolve(process.env.SKVM_UPSTREAM_DATA ?? path.resolve(REPO, '../shared/skvm-data-upstream'), 'profiles/bare-agent/qwen--qwen3.5-9b/latest.json');
const RUNS = 20;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

function fmt(ms: number): string {
  return `${ms.toFixed(1)} ms`;
}

/** Time from spawn to the answer of the first request, over a raw pipe. */
function spawnToAnswer(cache: string, era: 'legacy' | 'modern', entry = SERVER): Promise<number> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(process.execPath, [entry, `--skvm-cache=${cache}`], { stdio: ['pipe', 'pipe', 'ignore'], env: { PATH: process.env.PATH, HOME: cache } });
    let buf = '';
    child.stdout.on('data', (d: Buffer) => {
      buf += d.toString();
      if (buf.includes('\n')) {
        const ms = performance.now() - t0;
        child.stdin.end();
        child.kill();
        resolve(ms);
      }
    });
    child.on('error', reject);
    const request =
      era === 'legacy'
        ? { jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'bench', version: '1' } } }
        : {
            jsonrpc: '2.0',
            id: 1,
            method: 'server/discover',
            params: { _meta: { 'io.modelcontextprotocol/protocolVersion': '2026-07-28', 'io.modelcontextprotocol/clientInfo': { name: 'bench', version: '1' }, 'io.modelcontextprotocol/clientCapabilities': {} } },
          };
    child.stdin.write(JSON.stringify(request) + '\n');
  });
}

/** The modules a server loads until it answers initialize, counted by a loader hook (not timed). */
function modulesAtHandshake(cache: string, entry: string): Promise<{ total: number; own: number }> {
  const hook = `data:text/javascript,${encodeURIComponent('export async function load(u, c, n) { process.stderr.write("LOAD " + u + "\\n"); return n(u, c); }')}`;
  const register = `data:text/javascript,${encodeURIComponent(`import { register } from 'node:module'; register(${JSON.stringify(hook)});`)}`;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', register, entry, `--skvm-cache=${cache}`], { stdio: ['pipe', 'pipe', 'pipe'], env: { PATH: process.env.PATH, HOME: cache } });
    const loaded: string[] = [];
    let err = '';
    child.stderr.on('data', (d: Buffer) => {
      err += d.toString();
      for (let i = err.indexOf('\n'); i >= 0; i = err.indexOf('\n')) {
        const line = err.slice(0, i);
        err = err.slice(i + 1);
        if (line.startsWith('LOAD file:')) loaded.push(line.slice(5));
      }
    });
    child.stdout.once('data', () => {
      const total = loaded.length;
      const own = loaded.filter((u) => !u.includes('/node_modules/')).length;
      child.kill();
      resolve({ total, own });
    });
    child.on('error', reject);
    child.stdin.write(JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'bench', version: '1' } } }) + '\n');
  });
}

/** A 10 MB run_task argument over a raw pipe: time to its error, then to the answer of the next call. */
function oversizedArgument(cache: string): Promise<{ errorMs: number; nextMs: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [SERVER, `--skvm-cache=${cache}`], { stdio: ['pipe', 'pipe', 'ignore'], env: { PATH: process.env.PATH, HOME: cache } });
    const send = (msg: Record<string, unknown>) => child.stdin.write(JSON.stringify({ jsonrpc: '2.0', ...msg }) + '\n');
    const big = { name: 'run_task', arguments: { task: 'x'.repeat(10_000_000), model: 'sim/x' } };
    let buf = '';
    let t0 = 0;
    let errorMs = 0;
    child.stdout.on('data', (d: Buffer) => {
      buf += d.toString();
      for (let i = buf.indexOf('\n'); i >= 0; i = buf.indexOf('\n')) {
        const msg = JSON.parse(buf.slice(0, i)) as { id?: number; result?: { isError?: boolean } };
        buf = buf.slice(i + 1);
        if (msg.id === 1) {
          send({ method: 'notifications/initialized' });
          t0 = performance.now();
          send({ id: 2, method: 'tools/call', params: big });
        } else if (msg.id === 2) {
          if (!msg.result?.isError) reject(new Error('the 10 MB argument was not refused'));
          errorMs = performance.now() - t0;
          t0 = performance.now();
          send({ id: 3, method: 'tools/call', params: { name: 'runs_list', arguments: {} } });
        } else if (msg.id === 3) {
          child.stdin.end();
          resolve({ errorMs, nextMs: performance.now() - t0 });
        }
      }
    });
    child.on('error', reject);
    send({ id: 1, method: 'initialize', params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'bench', version: '1' } } });
  });
}

async function timeCalls(fn: () => Promise<unknown>): Promise<number[]> {
  await fn(); // warm-up
  const out: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const t0 = performance.now();
    await fn();
    out.push(performance.now() - t0);
  }
  return out;
}

function dirSize(p: string): number {
  const st = statSync(p);
  if (!st.isDirectory()) return st.size;
  return readdirSync(p).reduce((sum, n) => sum + dirSize(path.join(p, n)), 0);
}

async function main(): Promise<void> {
  const cache = mkdtempSync(path.join(tmpdir(), 'skvm-bench-'));
  try {
    // Each round spawns skvm-mcp (both eras) and a one-tool server on the same SDK (the floor no
    // server of ours can go below) back to back, so machine load hits both alike; the figure to
    // read is the median of the per-round differences.
    const legacy: number[] = [];
    const modern: number[] = [];
    const floor: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      legacy.push(await spawnToAnswer(cache, 'legacy'));
      floor.push(await spawnToAnswer(cache, 'legacy', FLOOR));
      modern.push(await spawnToAnswer(cache, 'modern'));
    }
    const spread = (xs: number[]) => `median ${fmt(median(xs))} (min ${fmt(Math.min(...xs))}, max ${fmt(Math.max(...xs))})`;
    console.log(`spawn → initialize (2025-11-25) answered: ${spread(legacy)} [goal ≤ 250 ms]`);
    console.log(`spawn → server/discover (2026-07-28) answered: ${spread(modern)} [goal ≤ 250 ms]`);
    console.log(`  floor, a one-tool SDK server, spawn → initialize answered: ${spread(floor)}`);
    console.log(`  above the floor (median of per-round differences): ${fmt(median(legacy.map((t, i) => t - floor[i]!)))} [goal ≤ 60 ms]`);
    const [ours, base] = [await modulesAtHandshake(cache, SERVER), await modulesAtHandshake(cache, FLOOR)];
    console.log(`  modules loaded before the initialize answer: ${ours.total} (${ours.own} of skvm-mcp), floor ${base.total}`);

    const big: Array<{ errorMs: number; nextMs: number }> = [];
    for (let i = 0; i < 5; i++) big.push(await oversizedArgument(cache));
    console.log(
      `10 MB run_task argument: refused in median ${fmt(median(big.map((b) => b.errorMs)))}, next call answered in ${fmt(median(big.map((b) => b.nextMs)))} [goal: well under 1 s]`,
    );

    // 2,000 cached profiles for resources/list.
    const profiles = path.join(cache, 'profiles');
    for (let i = 0; i < 2000; i++) {
      const dir = path.join(profiles, i % 2 ? 'bare-agent' : 'openclaw', `bench--model-${i}`);
      mkdirSync(dir, { recursive: true });
      cpSync(UPSTREAM_PROFILE, path.join(dir, 'latest.json'));
    }
    const client = new Client({ name: 'bench', version: '1' });
    await client.connect(new StdioClientTransport({ command: process.execPath, args: [SERVER, `--skvm-cache=${cache}`], env: { PATH: process.env.PATH ?? '', HOME: cache }, stderr: 'ignore' }));
    const toolsList = await timeCalls(() => client.listTools());
    console.log(`tools/list: median ${fmt(median(toolsList))} [goal ≤ 10 ms]`);
    let count = 0;
    const resList = await timeCalls(async () => {
      count = (await client.listResources()).resources.length;
    });
    console.log(`resources/list with 2,000 cached profiles (${count} resources): median ${fmt(median(resList))} [goal ≤ 100 ms]`);
    await client.close();

    // Production install footprint: the dependency tree npm installs for a user.
    const parseable = execFileSync('npm', ['ls', '--omit=dev', '--all', '--parseable'], { cwd: REPO, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    const dirs = [...new Set(parseable.split('\n').filter((l) => l && l !== REPO))];
    const depBytes = dirs.reduce((s, d) => s + dirSize(d), 0);
    const pack = JSON.parse(execFileSync('npm', ['pack', '--dry-run', '--json'], { cwd: REPO, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }))[0] as { size: number; unpackedSize: number; entryCount: number };
    console.log(
      `production install: ${dirs.length} packages, ${(depBytes / 1e6).toFixed(1)} MB of dependencies + skvm-mcp itself ${(pack.unpackedSize / 1e6).toFixed(2)} MB unpacked (${pack.entryCount} files, ${(pack.size / 1e3).toFixed(0)} kB tarball)`,
    );
  } finally {
    rmSync(cache, { recursive: true, force: true });
  }
}

await main();
