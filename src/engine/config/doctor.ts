import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import type { Engine } from '../engine.js';
import { matchesGlob } from '../llm/routes.js';
import { LlmError } from '../llm/errors.js';
import { describeError, SkvmError } from '../util/errors.js';
import { which } from '../util/which.js';
import { effectiveRoutes, type RouteView } from './show.js';
import type { Route } from './schema.js';
import { resolveHarnessBinary } from '../agent/adapters/cli/binary.js';
import { harnessUserProblem } from '../agent/adapters/cli/harness-user.js';
import { sandboxMode } from './sandbox.js';
import { cliVersion, locateHarnessCli } from '../agent/adapters/locate.js';
import { CLI_HARNESSES, harnessEntry } from '../agent/adapters/harnesses.js';
import { mapLimit } from '../util/async.js';

export type CheckStatus = 'ok' | 'warn' | 'fail' | 'skip';

export interface DoctorCheck {
  id: string;
  status: CheckStatus;
  detail: string;
  hint?: string;
}

export interface DoctorOptions {
  /** Send a 1-token request through each route that has a concrete model. */
  live: boolean;
  /** Extra model ids to test live (each must match a route). */
  models: string[];
  timeoutMs: number;
  signal?: AbortSignal;
  onProgress?: (done: number, total: number, message: string) => void;
}

export async function runDoctor(engine: Engine, opts: DoctorOptions) {
  const checks: DoctorCheck[] = [];
  const steps: Array<{ label: string; run: () => Promise<DoctorCheck[]> }> = [];

  steps.push({ label: 'node', run: async () => [nodeCheck()] });
  let routes: Route[] | undefined;
  steps.push({
    label: 'config',
    run: async () => {
      const file = engine.configFile();
      try {
        const loaded = engine.config();
        routes = loaded.config.providers?.routes ?? [];
        const out: DoctorCheck[] = [
          loaded.exists
            ? { id: 'config', status: 'ok', detail: `${file.value} parsed (${routes.length} route${routes.length === 1 ? '' : 's'})` }
            : { id: 'config', status: 'warn', detail: `no config file at ${file.value}; only the built-in openrouter/* route is available`, hint: 'Run config_init to write one.' },
        ];
        for (const w of loaded.warnings) out.push({ id: 'config', status: 'warn', detail: w });
        return out;
      } catch (err) {
        return [{ id: 'config', status: 'fail', detail: describeError(err) }];
      }
    },
  });
  steps.push({ label: 'paths', run: () => pathChecks(engine) });
  steps.push({ label: 'routes', run: async () => (routes ? effectiveRoutes(routes, engine.env).map(routeCheck) : []) });
  steps.push({
    label: 'live',
    run: async () => {
      if (!routes) return [];
      const targets = liveTargets(routes, opts.models);
      if (!opts.live) return targets.length ? [{ id: 'live', status: 'skip', detail: 'live route checks not requested (live=false)' }] : [];
      const out: DoctorCheck[] = [];
      for (const t of targets) out.push(await liveCheck(engine, t, opts));
      return out;
    },
  });
  steps.push({ label: 'harnesses', run: () => harnessChecks(engine) });

  for (let i = 0; i < steps.length; i++) {
    opts.onProgress?.(i, steps.length, `checking ${steps[i]!.label}`);
    checks.push(...(await steps[i]!.run()));
  }
  opts.onProgress?.(steps.length, steps.length, 'done');
  const counts = { ok: 0, warn: 0, fail: 0, skip: 0 };
  for (const c of checks) counts[c.status]++;
  return { ok: counts.fail === 0, checks, counts };
}
export type DoctorReport = Awaited<ReturnType<typeof runDoctor>>;

function nodeCheck(): DoctorCheck {
  const major = Number(process.versions.node.split('.')[0]);
  return major >= 20
    ? { id: 'node', status: 'ok', detail: `Node ${process.versions.node}` }
    : { id: 'node', status: 'fail', detail: `Node ${process.versions.node} is too old`, hint: 'Install Node 20 or newer.' };
}

async function pathChecks(engine: Engine): Promise<DoctorCheck[]> {
  const r = engine.roots;
  const writable: Array<[string, string]> = [
    ['cache', r.cache.value],
    ['profiles', r.profiles.value],
    ['logs', r.logs.value],
    ['proposals', r.proposals.value],
    ['runs', r.runs.value],
  ];
  try {
    writable.push(['tmp', engine.tmpDir().value]);
  } catch {
    // an invalid config is already reported by the config check
  }
  const out: DoctorCheck[] = [];
  for (const [name, dir] of writable) {
    try {
      await fsp.mkdir(dir, { recursive: true });
      const probe = path.join(dir, `.skvm-doctor-${process.pid}`);
      await fsp.writeFile(probe, 'ok');
      await fsp.rm(probe, { force: true });
      out.push({ id: `path:${name}`, status: 'ok', detail: `${dir} is writable` });
    } catch (err) {
      out.push({ id: `path:${name}`, status: 'fail', detail: `${dir} is not writable: ${describeError(err)}`, hint: 'Point SKVM_CACHE (or the specific SKVM_*_DIR variable) at a writable directory.' });
    }
  }
  const data = r.data.value;
  const hasData = await fsp.stat(data).then((s) => s.isDirectory(), () => false);
  out.push(
    hasData
      ? { id: 'path:data', status: 'ok', detail: `${data} exists` }
      : { id: 'path:data', status: 'warn', detail: `dataset root ${data} does not exist`, hint: 'Set SKVM_DATA_DIR or --skvm-data-dir to a folder with skills/ and tasks/.' },
  );
  return out;
}

function routeCheck(v: RouteView): DoctorCheck {
  const id = `route:${v.match}`;
  if (v.key.present) {
    const via = v.key.source === 'env' ? `key from $${v.key.variable}` : v.key.masked === '(auth-free endpoint)' ? 'auth-free endpoint' : 'key in config';
    return { id, status: 'ok', detail: `${v.kind}${v.baseUrl ? ` at ${v.baseUrl}` : ''}, ${via}` };
  }
  const hint =
    v.key.source === 'env'
      ? `Set ${v.key.variable} in the environment the server runs in (e.g. the "env" block of your MCP host config).`
      : 'Give the route apiKeyEnv (preferred) or apiKey.';
  if (v.origin === 'built-in') {
    return { id, status: 'skip', detail: `built-in route; ${v.key.variable} is not set, so openrouter/* models are unavailable`, hint };
  }
  return { id, status: 'fail', detail: `${v.kind} route has no key: ${v.key.source === 'env' ? `$${v.key.variable} is not set` : 'neither apiKey nor apiKeyEnv'}`, hint };
}

interface LiveTarget {
  model: string;
  route?: Route;
}

/** One model per route that names one (checkModel, or a match without wildcards), plus requested models. */
function liveTargets(routes: Route[], models: string[]): LiveTarget[] {
  const out: LiveTarget[] = [];
  const seen = new Set<string>();
  for (const r of routes) {
    const model = r.checkModel ?? (r.match.includes('*') ? undefined : r.match);
    if (model && !seen.has(model)) {
      seen.add(model);
      out.push({ model, route: r });
    }
  }
  for (const m of models) {
    if (seen.has(m)) continue;
    seen.add(m);
    out.push({ model: m, route: routes.find((r) => matchesGlob(r.match, m)) });
  }
  return out;
}

async function liveCheck(engine: Engine, t: LiveTarget, opts: DoctorOptions): Promise<DoctorCheck> {
  const id = `live:${t.model}`;
  const t0 = Date.now();
  try {
    const res = await engine.llm.chat(
      { model: t.model, messages: [{ role: 'user', content: 'Reply with the single word: ok' }], maxTokens: 1 },
      { signal: opts.signal, timeoutMs: opts.timeoutMs, maxAttempts: 2 },
    );
    const sim = await simulatorLabel(t.route?.baseUrl);
    const attempts = res.attempts > 1 ? ` after ${res.attempts} attempts` : '';
    return { id, status: 'ok', detail: `${sim}answered in ${Date.now() - t0} ms${attempts} via route "${res.route}" (${res.usage.input}+${res.usage.output} tokens)` };
  } catch (err) {
    const hint = err instanceof SkvmError ? err.hint : undefined;
    const kind = err instanceof LlmError ? ` [${err.kind}]` : '';
    return { id, status: 'fail', detail: `no answer${kind}: ${err instanceof Error ? err.message : String(err)}`, ...(hint ? { hint } : {}) };
  }
}

/** The simulator labels its responses; name it so nobody mistakes it for a real model. */
async function simulatorLabel(baseUrl: string | undefined): Promise<string> {
  if (!baseUrl) return '';
  let url: URL;
  try {
    url = new URL(baseUrl);
  } catch {
    return '';
  }
  if (!['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname)) return '';
  try {
    const res = await fetch(new URL('/health', url), { signal: AbortSignal.timeout(2_000) });
    const name = res.headers.get('x-skvm-simulator');
    return name ? `SkVM simulator (policy ${name}, not a real model) ` : '';
  } catch {
    return '';
  }
}

async function harnessChecks(engine: Engine): Promise<DoctorCheck[]> {
  let adapters: Record<string, unknown> = {};
  try {
    adapters = engine.config().config.adapters ?? {};
  } catch {
    // reported by the config check
  }
  const out = await mapLimit(CLI_HARNESSES, 4, async (name): Promise<DoctorCheck> => {
    const where = locateHarnessCli(name, engine.env, adapters)!;
    const entry = harnessEntry(name)!;
    const offers = entry.built ? `modes ${entry.modes.join('/')}, skills ${entry.skillDelivery.join('/')}` : 'no adapter in this release';
    if (where.path) {
      const version = await cliVersion(where.path, engine.env);
      const at = where.via === 'PATH' ? where.path : `${where.looked} → ${where.path}`;
      const blocked = entry.built ? await harnessUserProblem(name, where.path, sandboxMode(engine)) : undefined;
      if (blocked) return { id: `harness:${name}`, status: 'warn', detail: `${at}: not runnable here: ${blocked.reason}`, hint: blocked.hint };
      return { id: `harness:${name}`, status: 'ok', detail: `${at} (${version ?? 'version unknown'}; ${offers})` };
    }
    if (where.via === 'PATH') {
      const install = entry.built ? resolveHarnessBinary(name, engine.env, adapters) : undefined;
      return { id: `harness:${name}`, status: 'skip', detail: `${where.looked}: not found (only needed for the ${name} adapter)`, ...(install && !install.ok ? { hint: install.installHint } : {}) };
    }
    return { id: `harness:${name}`, status: 'warn', detail: `${where.looked} does not exist`, hint: where.via === 'config' ? `Fix adapters.${name} in the config file.` : `Point the variable at the ${name} binary, or unset it.` };
  });
  const py = which('python3', engine.env);
  out.push(py ? { id: 'tool:python3', status: 'ok', detail: py } : { id: 'tool:python3', status: 'warn', detail: 'python3 not found', hint: 'Tasks graded by grade.py need python3.' });
  return out;
}
