import { z } from 'zod';
import { defineOperation } from '../src/contract/operation.js';
import { idArg, listArg, modelArg, pathArg, urlArg } from '../src/contract/limits.js';
import { buildConfig, PRESETS, type PresetName } from '../src/engine/config/init.js';
import { ADAPTER_NAMES, ROUTE_KINDS } from '../src/engine/config/schema.js';
import { UsageError } from '../src/engine/util/errors.js';
import { RouteOut } from './config_show.js';

const RouteIn = z.strictObject({
  match: modelArg().describe('Glob over full model ids, e.g. "local/*"; only * is special.'),
  kind: z.enum(ROUTE_KINDS),
  baseUrl: urlArg().optional().describe('Required for openai-compatible; optional gateway for anthropic.'),
  apiKeyEnv: idArg().regex(/^[A-Za-z_][A-Za-z0-9_]*$/).optional().describe('Name of the environment variable holding the key.'),
  authFree: z.boolean().optional().describe('The endpoint needs no key (local servers).'),
  maxConcurrency: z.number().int().min(1).max(256).optional().describe('In-flight requests allowed on this route (default 8).'),
  timeoutMs: z.number().int().min(1000).optional().describe('Per-request timeout (default 120000).'),
  checkModel: modelArg().optional().describe('A model id config_doctor uses to test this route live.'),
});

export const configInitTool = defineOperation({
  name: 'config_init',
  title: 'Write the config file',
  description:
    'Write skvm.config.json (in the cache root, mode 0600) from presets and routes, without prompts. Presets: openrouter (OPENROUTER_API_KEY), anthropic (ANTHROPIC_API_KEY), openai (OPENAI_API_KEY). API keys are never arguments: routes name the environment variable that holds the key (apiKeyEnv) or are authFree. mode "create" refuses to replace an existing file unless overwrite is true; mode "merge" keeps the existing file and adds or replaces routes by match (new routes go first, since the first match wins). An existing file is backed up as skvm.config.json.bak.<time>. Use dryRun to preview.',
  input: z.strictObject({
    mode: z.enum(['create', 'merge']).default('create').describe('create a new file, or merge into the existing one'),
    overwrite: z.boolean().default(false).describe('create mode: replace an existing file (it is backed up first)'),
    presets: listArg(z.enum(Object.keys(PRESETS) as [PresetName, ...PresetName[]])).default([]).describe('Common vendor routes to add.'),
    routes: listArg(RouteIn).default([]).describe('Routes to add, in match order.'),
    adapters: z.partialRecord(z.enum(ADAPTER_NAMES), pathArg()).optional().describe('Harness checkout or binary paths, by adapter name.'),
    headlessDriver: z.enum(['pi', 'opencode']).optional().describe('headlessAgent.driver: the CLI that runs headless agent passes (default pi).'),
    adapterConfigMode: z.enum(['native', 'managed']).optional().describe('defaults.adapterConfigMode: managed (the default: each harness runs in an empty home with a config built from the routes) or native (it copies your own harness config).'),
    tmpRoot: pathArg().optional().describe('Where work directories go; written as paths.tmpDir (default: the OS temp dir).'),
    maxConcurrentRuns: z.number().int().min(1).max(64).optional().describe('Runs allowed at once (default 4).'),
    dryRun: z.boolean().default(false).describe('Return what would be written without writing.'),
  }),
  output: z.object({
    file: z.string(),
    written: z.boolean(),
    mode: z.enum(['create', 'merge']),
    backup: z.string().optional(),
    routes: z.array(RouteOut),
    config: z.record(z.string(), z.unknown()).describe('The file content, keys masked'),
  }),
  effect: 'write',
  idempotent: true,
  openWorld: false,
  mode: 'instant',
  async handler(input, ctx) {
    const [{ loadConfigFile }, { effectiveRoutes }, { writeConfigFile }] = await Promise.all([
      import('../src/engine/config/load.js'),
      import('../src/engine/config/show.js'),
      import('../src/engine/config/write.js'),
    ]);
    const file = ctx.engine.configFile().value;
    const existing = loadConfigFile(file);
    if (input.mode === 'create' && existing.exists && !input.overwrite) {
      throw new UsageError(`${file} already exists.`, 'Use mode "merge" to add routes to it, or overwrite: true to replace it (a backup is kept).');
    }
    const config = buildConfig(input.mode === 'merge' ? existing.config : {}, {
      presets: input.presets,
      routes: input.routes,
      adapters: input.adapters,
      headlessDriver: input.headlessDriver,
      adapterConfigMode: input.adapterConfigMode,
      tmpDir: input.tmpRoot,
      maxConcurrentRuns: input.maxConcurrentRuns,
    });
    const backup = input.dryRun ? undefined : await writeConfigFile(file, config);
    const routes = effectiveRoutes(config.providers?.routes ?? [], ctx.engine.env);
    const masked = structuredClone(config) as Record<string, unknown> & { providers?: { routes?: Array<{ apiKey?: string }> } };
    for (const r of masked.providers?.routes ?? []) if (r.apiKey) r.apiKey = '***';
    return { file, written: !input.dryRun, mode: input.mode, ...(backup ? { backup } : {}), routes, config: masked };
  },
  summarize(out) {
    const head = out.written ? `Wrote ${out.file}${out.backup ? ` (previous file backed up to ${out.backup})` : ''}.` : `Would write ${out.file} (dry run):`;
    const routes = out.routes.map((r) => `  ${r.match.padEnd(20)} ${r.kind}${r.key.variable ? `  key from $${r.key.variable}${r.key.present ? '' : ' (not set yet)'}` : ''}${r.origin === 'built-in' ? '  (built-in)' : ''}`);
    return [head, 'routes (first match wins):', ...routes, 'Next: run config_doctor to test them.'].join('\n');
  },
});
