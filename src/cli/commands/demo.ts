import { existsSync } from 'node:fs';
import type { RunEnvelope } from '../../contract/invoke.js';
import type { CliIo } from '../io.js';
import type { CliCommand } from './command.js';
import { SIM_BANNER } from './sim-serve.js';

/**
 * `skvm demo`: the whole stack on this machine with no model and no key — the simulator stands
 * in for a vendor, a temporary cache holds the state, and the real server is driven over stdio
 * by the official MCP client, exactly as a host would. Each later capability adds a step.
 */

const HELP = `skvm demo — See SkVM work end to end, offline, against the ${SIM_BANNER}

Starts the LLM simulator, writes a config with sim/* routes into a temporary cache, launches
the skvm-mcp server over stdio through the official MCP client, and prints what the tools
return, step by step:
  1. config_init, config_doctor (including a live request to the simulator), primitives_list,
     profiles_import / profiles_list / profile_show;
  2. run_task on a bundled task with and without its skill, and a bench of the bundled tasks —
     the simulator plays the agent from scripts in skvm-data/sim/ (solving with the skill,
     half-solving without);
  3. profile of a simulated model with planted levels on a few primitives (among them
     gen.code.shell at L0), which must come back with exactly those levels; then the same
     target profiled through a real Claude Code CLI (found through $SKVM_CLAUDE_CMD, PATH or
     the harness-CLI cache that npm run test:adapters fills; skipped with an install hint when
     there is none), and profile_compare of the two side by side;
  4. compile of the bundled log-triage skill for that planted target with the profile just
     made, the simulator playing the compiler model (skvm-data/sim/compiler.json): the gaps,
     the guard verdict, the SKILL.md diff (coloured on a terminal), the env-setup.sh
     simulation, parallel groups and cost;
  5. bench of log-triage on the planted target, original vs aot-compiled — the target
     (skvm-data/sim/planted-target.json) botches the skill's shell pipeline but follows the
     compiled skill's count-by-hand sentence, so the compiled variant scores higher.
  6. jit_optimize of a copy of the tidy-notes skill (skvm-data/sim/tidy-notes) from the
     Claude Code session that used it (test/fixtures/transcripts/claude-code/session.jsonl,
     recorded from the real CLI), the simulator playing the optimizer
     (skvm-data/sim/jit-optimizer.json); then proposal_diff, proposal_accept, and
     proposal_rollback back to a byte-identical skill.

Usage: skvm demo [--profiles=DIR] [--keep]

Flags:
  --profiles=<dir>   Pre-built profiles to import (a <harness>/<model>/*.json tree).
                     Default: ../shared/skvm-data-upstream/profiles beside the install, when present.
  --keep             Keep the temporary cache and print its path.

Examples:
  skvm demo
  skvm demo --profiles=SkVM-data/profiles`;

/**
 * The true levels of the simulated model the demo profiles (a handful of primitives, for speed).
 * gen.code.shell at L0 is the gap the compile step finds: log-triage's quick way to count is a
 * shell pipeline (skvm-data/sim/compiler.json states it needs L3).
 */
export const PLANTED = { 'reason.arithmetic': 'L3', 'tool.file.read': 'L2', 'follow.format': 'L1', 'gen.code.shell': 'L0' } as const;

/** The planted target's name behind the planted/* route, and the simulated compiler model. */
const TARGET = 'planted/demo-target';
/** The same target behind an Anthropic-wire route, for the real CLI harness of step 3 (Claude Code speaks only that). */
const CLI_TARGET = 'planted-anthropic/demo-target';
const CLI_HARNESS = 'claude-code';
const COMPILER = 'sim/compiler';
/** The simulated optimizer model of the JIT step (skvm-data/sim/jit-optimizer.json answers requests for "optimizer"). */
const OPTIMIZER = 'sim/optimizer';

async function run(args: readonly string[], io: CliIo): Promise<number> {
  const [{ z }, { parseFlagsOrThrow }, path, os, fs, { fileURLToPath }, { findInstallRoot }, sim, mcp, stdio, { summarizeEnvelope }, { compileTool }] = await Promise.all([
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
    import('../../contract/invoke.js'),
    import('../../../tools/compile.js'),
  ]);
  const { cachedHarnessCli, harnessCliCacheRoot } = await import('../../engine/agent/adapters/cli-cache.js');
  const { harnessVersion, resolveHarnessBinary } = await import('../../engine/agent/adapters/cli/binary.js');
  const schema = z.object({
    profiles: z.string().min(1).optional().describe('Directory of pre-built profiles to import.'),
    keep: z.boolean().default(false).describe('Keep the temporary cache.'),
  });
  const flags = schema.parse(parseFlagsOrThrow(args, schema, 'demo').value);

  const serverEntry = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../bin/skvm-mcp.js');
  const profilesDir = flags.profiles ?? path.resolve(findInstallRoot(), '../shared/skvm-data-upstream/profiles');

  const simScripts = (name: string) => sim.loadPolicyFile(path.join(findInstallRoot(), 'skvm-data', 'sim', name));
  const out = (text = '') => io.stdout.write(`${text}\n`);
  const section = (title: string) => out(`\n━━ ${title} ${'━'.repeat(Math.max(3, 74 - title.length))}`);

  // The real harness of step 3: its override variable or PATH, else the newest cached install.
  const onPath = resolveHarnessBinary(CLI_HARNESS, io.env);
  const cliBin = onPath.ok ? onPath.path : cachedHarnessCli(CLI_HARNESS, io.env)?.binPath;
  const cliVersion = cliBin ? ((await harnessVersion(cliBin, io.env)) ?? 'version unknown') : undefined;

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
    out('Steps: setup and profiles, agent runs and a bench, profiling a planted target, compiling a skill');
    out('for it, a bench of original vs aot-compiled on it, and optimizing a skill from a session transcript.');
    out(`simulator: ${server.url} (OpenAI wire ${server.openaiBaseUrl}, Anthropic wire ${server.anthropicBaseUrl})`);
    out(`temporary cache: ${cache}`);

    await client.connect(
      new stdio.StdioClientTransport({
        command: process.execPath,
        args: ['--import', sim.PROBE_REGISTRY_PRELOAD, serverEntry, `--skvm-cache=${cache}`],
        // The server gets no API keys: the simulator routes are auth-free (Claude Code, which wants
        // a key, gets a placeholder from the managed endpoint).
        env: { PATH: io.env.PATH ?? '', HOME: cache, SKVM_LOG_LEVEL: 'warn', [sim.SIM_REGISTRY_ENV]: registryDir },
        stderr: 'inherit',
      }),
    );
    const info = client.getServerVersion();
    out(`connected to ${info?.name} ${info?.version} over stdio (official MCP client)`);

    type ToolResult = { isError?: boolean; structuredContent?: Record<string, unknown>; content: Array<{ type: string; text?: string }> };
    /** Calls a tool and prints its text; `render` may print a successful result its own way instead. */
    const call = async (name: string, args: Record<string, unknown>, render?: (r: ToolResult) => string | undefined) => {
      section(`${name} ${JSON.stringify(args)}`);
      const r = (await client.callTool({ name, arguments: args }, { timeout: 120_000 })) as ToolResult;
      out((!r.isError ? render?.(r) : undefined) ?? r.content.find((c) => c.type === 'text')?.text ?? '(no text)');
      if (r.isError) throw new Error(`${name} failed`);
      return r;
    };

    await call('config_init', {
      routes: [
        { match: 'sim/*', kind: 'openai-compatible', baseUrl: server.openaiBaseUrl, authFree: true, checkModel: 'sim/demo-model' },
        { match: 'sim-anthropic/*', kind: 'anthropic', baseUrl: server.anthropicBaseUrl, authFree: true, checkModel: 'sim-anthropic/demo-model' },
        { match: 'planted/*', kind: 'openai-compatible', baseUrl: planted.openaiBaseUrl, authFree: true },
        { match: 'planted-anthropic/*', kind: 'anthropic', baseUrl: planted.anthropicBaseUrl, authFree: true },
      ],
      ...(cliBin ? { adapters: { [CLI_HARNESS]: cliBin } } : {}),
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
    server.setPolicy(sim.withLatency(await simScripts('tasks.json'), { minMs: 5, maxMs: 30 }));
    await call('run_task', { task: 'slugify', model: 'sim/demo-model', waitSeconds: 50 });
    await call('run_task', { task: 'slugify', model: 'sim/demo-model', useTaskSkills: true, waitSeconds: 50 });
    await call('bench', { models: ['sim/demo-model'], conditions: ['no-skill', 'original'], concurrency: 3, waitSeconds: 50 });

    // Profiling: a simulated model with planted levels (a known answer) is profiled on a handful
    // of primitives; the profile must come back with exactly those levels.
    section('planted target');
    out(`The profiling model is simulated with these true levels: ${Object.entries(PLANTED).map(([k, v]) => `${k}=${v}`).join(', ')}.`);
    await call('profile', { models: [TARGET], primitives: Object.keys(PLANTED), instances: 2, concurrency: 6, waitSeconds: 50 });

    // The same target through a real CLI harness: the harness wraps the prompt and offers its own
    // tools; the simulated target plays each probe's solution through them (planted policy).
    section(`the planted target through ${CLI_HARNESS}`);
    if (!cliBin) {
      const looked = onPath.ok ? '' : `${onPath.reason}; nothing in ${harnessCliCacheRoot(io.env)}`;
      out(`skipped: ${CLI_HARNESS} is not installed; install with "npm i -g @anthropic-ai/claude-code" (or run "npm run test:adapters" once, which caches it) and run the demo again.`);
      out(`(${looked})`);
    } else {
      out(`Harness: ${CLI_HARNESS} ${cliVersion}, the real CLI at ${cliBin}, in managed mode (configured from the planted-anthropic/* route).`);
      out('It wraps each probe prompt in its own messages and offers its own tools (Bash, Read, Write); the simulated target finds the probe and plays the same solutions through them. One instance per level.');
      await call('profile', { models: [CLI_TARGET], harnesses: [CLI_HARNESS], primitives: Object.keys(PLANTED), instances: 1, concurrency: 2, waitSeconds: 50 });
      await call('profile_compare', { a: { model: TARGET, harness: 'bare-agent' }, b: { model: CLI_TARGET, harness: CLI_HARNESS } }, (r) => levelsSideBySide(r.structuredContent));
    }

    // Compiling: the simulator now plays the compiler model; pass 1 reads the profile just made.
    section('compile for the planted target');
    out(`log-triage's quick way to count is a grep | sed | sort | uniq pipeline, and ${TARGET} has gen.code.shell ${PLANTED['gen.code.shell']}.`);
    out(`The compiler model ${COMPILER} is simulated (skvm-data/sim/compiler.json); its answers go through the real passes, guard and publishing.`);
    server.setPolicy(sim.withLatency(await simScripts('compiler.json'), { minMs: 5, maxMs: 30 }));
    // The tool's own text, re-rendered with colour for a terminal (as `skvm compile` shows it).
    const color = io.color ?? false;
    await call('compile', { skill: 'log-triage', model: TARGET, compilerModel: COMPILER, detail: 'full', waitSeconds: 50 }, (r) =>
      color && r.structuredContent ? summarizeEnvelope(compileTool, r.structuredContent as RunEnvelope, { color }) : undefined,
    );

    // The payoff: the planted target runs log-triage with the original and the compiled skill.
    planted.setPolicy(sim.withLatency(await simScripts('planted-target.json'), { minMs: 5, maxMs: 30 }));
    const bench = await call('bench', { models: [TARGET], tasks: ['log-triage'], conditions: ['original', 'aot-compiled'], waitSeconds: 50 });
    out(`\n${scoresSideBySide(bench.structuredContent)}`);

    // JIT: "the skill I just used went wrong in this session — fix it", as a reviewed proposal.
    section('optimize a skill from a session transcript');
    const transcript = path.join(findInstallRoot(), 'test', 'fixtures', 'transcripts', 'claude-code', 'session.jsonl');
    if (!existsSync(transcript)) {
      out(`This step needs the repository's transcript fixture (${transcript}); it is not part of an installed package.`);
    } else {
      const skillDir = path.join(cache, 'skills', 'tidy-notes');
      await fs.cp(path.join(findInstallRoot(), 'skvm-data', 'sim', 'tidy-notes'), skillDir, { recursive: true });
      out(`A real Claude Code 2.1.330 session used the tidy-notes skill and hit a failed read (${path.relative(findInstallRoot(), transcript)}).`);
      out(`The optimizer ${OPTIMIZER} is simulated (skvm-data/sim/jit-optimizer.json); it works on a copy of the skill at ${skillDir}.`);
      server.setPolicy(sim.withLatency(await simScripts('jit-optimizer.json'), { minMs: 5, maxMs: 30 }));
      const optimized = await call('jit_optimize', { skill: skillDir, source: 'log', logs: [{ path: transcript }], targetModel: 'sim/demo-model', optimizerModel: OPTIMIZER, waitSeconds: 50 });
      const proposalId = (optimized.structuredContent?.result as { proposalId?: string } | undefined)?.proposalId;
      if (!proposalId) throw new Error('jit_optimize returned no proposal id');
      await call('proposal_diff', { id: proposalId });
      const before = await skillBytes(fs, path, skillDir);
      await call('proposal_accept', { id: proposalId });
      const accepted = await skillBytes(fs, path, skillDir);
      await call('proposal_rollback', { id: proposalId });
      const after = await skillBytes(fs, path, skillDir);
      out(`\nskill folder: accept ${accepted === before ? 'changed nothing (unexpected)' : 'changed it'}; after rollback it is ${after === before ? 'byte-identical to before accept' : 'NOT the same as before accept'}.`);
      if (after !== before || accepted === before) throw new Error('accept/rollback did not round-trip the skill');
    }
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

/** Every file of a folder, path and bytes, as one string: equal strings mean identical trees. */
async function skillBytes(fs: typeof import('node:fs/promises'), path: typeof import('node:path'), dir: string): Promise<string> {
  const entries = (await fs.readdir(dir, { recursive: true })).sort();
  const parts = await Promise.all(
    entries.map(async (f) => ((await fs.lstat(path.join(dir, f))).isFile() ? `${f}\0${(await fs.readFile(path.join(dir, f))).toString('base64')}` : `${f}/`)),
  );
  return parts.join('\n');
}

/** profile_compare's rows for the primitives both profiles measured, one line each, and whether they agree. */
function levelsSideBySide(result: Record<string, unknown> | undefined): string | undefined {
  type Row = { primitive: string; levelA: string | null; levelB: string | null; difference: number | null };
  const out = result as { a?: { harness: string }; b?: { harness: string }; rows?: Row[] } | undefined;
  if (!out?.a || !out.b || !out.rows) return undefined;
  const rows = out.rows.filter((r) => r.levelA !== null && r.levelB !== null);
  const w = Math.max(9, ...rows.map((r) => r.primitive.length));
  const head = `${'primitive'.padEnd(w)}  ${out.a.harness.padEnd(11)} ${out.b.harness}`;
  const lines = rows.map((r) => `${r.primitive.padEnd(w)}  ${r.levelA!.padEnd(11)} ${r.levelB}${r.difference ? `  (${r.difference > 0 ? '+' : ''}${r.difference})` : ''}`);
  const same = rows.filter((r) => r.difference === 0).length;
  return [head, ...lines, `${out.b.harness} and ${out.a.harness} agree on ${same} of ${rows.length} primitives.`].join('\n');
}

/** The bench's conditions on one line, from its structured result (the score per condition). */
function scoresSideBySide(envelope: Record<string, unknown> | undefined): string {
  type Session = { model: string; conditions: Array<{ condition: string; avgScore: number | null }> };
  const session = (envelope?.result as { sessions?: Session[] } | undefined)?.sessions?.[0];
  if (!session) return '(the bench returned no session)';
  return `${session.model}: ${session.conditions.map((c) => `${c.condition} ${c.avgScore === null ? 'n/a' : c.avgScore.toFixed(3)}`).join('  vs  ')}`;
}

export const demoCommand: CliCommand = {
  words: ['demo'],
  summary: 'Run the whole stack offline against the simulator and print what the tools return',
  help: HELP,
  run,
};
