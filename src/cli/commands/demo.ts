import { existsSync } from 'node:fs';
import type { CliIo } from '../io.js';
import type { CliCommand } from './command.js';
import { SIM_BANNER } from './sim-serve.js';

/**
 * `skvm demo`: the whole stack on this machine with no model and no key — the simulator stands
 * in for a vendor, a temporary cache holds the state, and the real server is driven over stdio
 * by the official MCP client, exactly as a host would. Each later capability adds a step.
 */

const HELP = `skvm demo — See SkVM work end to end, offline, against the ${SIM_BANNER}

Starts the LLM simulator, writes a config with a sim/* route into a temporary cache, launches
the skvm-mcp server over stdio through the official MCP client, and prints what the tools
return: config_init, config_doctor (including a live request to the simulator),
primitives_list, profiles_import / profiles_list / profile_show, then run_task on a bundled task
with and without its skill and a bench of the bundled tasks — the simulator plays the agent
from scripts in skvm-data/sim/ (solving with the skill, half-solving without) — and finally a
profile of a simulated model with planted levels on a few primitives, which must come back
with exactly those levels.

Usage: skvm demo [--profiles=DIR] [--keep]

Flags:
  --profiles=<dir>   Pre-built profiles to import (a <harness>/<model>/*.json tree).
                     Default: ../shared/skvm-data-upstream/profiles beside the install, when present.
  --keep             Keep the temporary cache and print its path.`;

/** The true levels of the simulated model the demo profiles (a handful of primitives, for speed). */
const PLANTED = { 'reason.arithmetic': 'L3', 'tool.file.read': 'L2', 'follow.format': 'L1', 'gen.text.long': 'L0' } as const;

async function run(args: readonly string[], io: CliIo): Promise<number> {
  const [{ z }, { parseFlagsOrThrow }, path, os, fs, { fileURLToPath }, { findInstallRoot }, sim, mcp, stdio] = await Promise.all([
    import('zod'),
    import('../flags.js'),
    import('node:path'),
    import('node:os'),
    import('node:fs/promises'),
    import('node:url'),
    import('../../engine/config/paths.js'),
    import('../../engine/sim/index.js').then(async (m) => ({ ...m, loadPolicyFile: (await import('../../engine/sim/policy-file.js')).loadPolicyFile })),
    import('@modelcontextprotocol/client'),
    import('@modelcontextprotocol/client/stdio'),
  ]);
  const schema = z.object({
    profiles: z.string().min(1).optional().describe('Directory of pre-built profiles to import.'),
    keep: z.boolean().default(false).describe('Keep the temporary cache.'),
  });
  const flags = schema.parse(parseFlagsOrThrow(args, schema, 'demo').value);

  const serverEntry = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../server/main.js');
  const profilesDir = flags.profiles ?? path.resolve(findInstallRoot(), '../shared/skvm-data-upstream/profiles');

  const out = (text = '') => io.stdout.write(`${text}\n`);
  const section = (title: string) => out(`\n━━ ${title} ${'━'.repeat(Math.max(3, 74 - title.length))}`);

  const cache = await fs.mkdtemp(path.join(os.tmpdir(), 'skvm-demo-'));
  const server = await sim.startSimServer({ policy: sim.withLatency(sim.echoPolicy(), { minMs: 5, maxMs: 30 }) });
  // A second simulator plays a model of known ability for the profiler (see PLANTED); it knows
  // the probes through a registry the server fills only because it runs with the simulator's
  // preload (PROBE_REGISTRY_PRELOAD) and SKVM_SIM_PROBE_REGISTRY set.
  const registryDir = path.join(cache, 'sim-probe-registry');
  const planted = await sim.startSimServer({ policy: sim.plantedPolicy({ levels: PLANTED, registryDir }) });
  const client = new mcp.Client({ name: 'skvm-demo', version: '1.0.0' });
  try {
    out(`SkVM demo — everything below runs locally against the ${SIM_BANNER}.`);
    out(`simulator: ${server.url} (OpenAI wire ${server.openaiBaseUrl}, Anthropic wire ${server.anthropicBaseUrl})`);
    out(`temporary cache: ${cache}`);

    await client.connect(
      new stdio.StdioClientTransport({
        command: process.execPath,
        args: ['--import', sim.PROBE_REGISTRY_PRELOAD, serverEntry, `--skvm-cache=${cache}`],
        // The server gets no API keys: the simulator routes are auth-free.
        env: { PATH: io.env.PATH ?? '', HOME: cache, SKVM_LOG_LEVEL: 'warn', [sim.SIM_REGISTRY_ENV]: registryDir },
        stderr: 'inherit',
      }),
    );
    const info = client.getServerVersion();
    out(`connected to ${info?.name} ${info?.version} over stdio (official MCP client)`);

    const call = async (name: string, args: Record<string, unknown>) => {
      section(`${name} ${JSON.stringify(args)}`);
      const r = (await client.callTool({ name, arguments: args }, { timeout: 120_000 })) as { isError?: boolean; content: Array<{ type: string; text?: string }> };
      out(r.content.find((c) => c.type === 'text')?.text ?? '(no text)');
      if (r.isError) throw new Error(`${name} failed`);
      return r;
    };

    await call('config_init', {
      routes: [
        { match: 'sim/*', kind: 'openai-compatible', baseUrl: server.openaiBaseUrl, authFree: true, checkModel: 'sim/demo-model' },
        { match: 'sim-anthropic/*', kind: 'anthropic', baseUrl: server.anthropicBaseUrl, authFree: true, checkModel: 'sim-anthropic/demo-model' },
        { match: 'planted/*', kind: 'openai-compatible', baseUrl: planted.openaiBaseUrl, authFree: true },
      ],
    });
    await call('config_doctor', { live: true });
    await call('primitives_list', {});
    if (existsSync(profilesDir)) {
      await call('profiles_import', { source: profilesDir });
      await call('profiles_list', { limit: 8 });
      await call('profile_show', { model: 'openrouter/qwen/qwen3.5-9b', harness: 'bare-agent' });
    } else {
      section('profiles_import');
      out(`No pre-built profiles at ${profilesDir}; pass --profiles=<dir> (a <harness>/<model>/*.json tree such as SkVM-data's profiles/) to import some.`);
    }
    // The agent part: the simulator now plays an agent through the bundled tasks (solving them with
    // the task's skill, half-solving them without), so run_task and bench have real work to score.
    const tasksPolicy = await sim.loadPolicyFile(path.join(findInstallRoot(), 'skvm-data', 'sim', 'tasks.json'));
    server.setPolicy(sim.withLatency(tasksPolicy, { minMs: 5, maxMs: 30 }));
    await call('run_task', { task: 'slugify', model: 'sim/demo-model', waitSeconds: 50 });
    await call('run_task', { task: 'slugify', model: 'sim/demo-model', useTaskSkills: true, waitSeconds: 50 });
    await call('bench', { models: ['sim/demo-model'], conditions: ['no-skill', 'original'], concurrency: 3, waitSeconds: 50 });

    // Profiling: a simulated model with planted levels (a known answer) is profiled on a handful
    // of primitives; the profile must come back with exactly those levels.
    section('planted target');
    out(`The profiling model is simulated with these true levels: ${Object.entries(PLANTED).map(([k, v]) => `${k}=${v}`).join(', ')}.`);
    await call('profile', { models: ['planted/demo-target'], primitives: Object.keys(PLANTED), instances: 2, concurrency: 6, waitSeconds: 50 });
    section('done');
    out('The same tools are available to any MCP host (see README) and as `skvm <command>` in a terminal.');
    return 0;
  } finally {
    await client.close().catch(() => {});
    await server.close();
    await planted.close();
    if (flags.keep) out(`kept the cache at ${cache}`);
    else await fs.rm(cache, { recursive: true, force: true });
  }
}

export const demoCommand: CliCommand = {
  words: ['demo'],
  summary: 'Run the whole stack offline against the simulator and print what the tools return',
  help: HELP,
  run,
};
