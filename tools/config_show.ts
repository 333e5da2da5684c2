import { z } from 'zod';
import { defineOperation } from '../src/contract/operation.js';
import { ROUTE_KINDS } from '../src/engine/config/schema.js';

const SourceEnum = z.enum(['flag', 'env', 'config', 'default', 'legacy']);
const PathOut = z.object({ path: z.string(), source: SourceEnum, from: z.string().optional() });
export const RouteOut = z.object({
  match: z.string(),
  kind: z.enum(ROUTE_KINDS),
  baseUrl: z.string().optional(),
  key: z.object({
    source: z.enum(['config', 'env', 'none']),
    variable: z.string().optional(),
    present: z.boolean(),
    masked: z.string().optional().describe('never the key itself'),
  }),
  maxConcurrency: z.number().optional(),
  timeoutMs: z.number().optional(),
  checkModel: z.string().optional(),
  origin: z.enum(['config', 'built-in']),
});

export const configShowTool = defineOperation({
  name: 'config_show',
  title: 'Show resolved configuration',
  description:
    'Show the configuration SkVM actually uses: the config file path, every directory (cache, profiles, logs, proposals, dataset, tmp, runs) with where its value came from (flag, env var, config or default), the provider routes in match order with how each finds its API key (keys are masked, never shown), adapters, defaults and config warnings. Use it to answer "where is X stored" or "why does model Y go to route Z".',
  input: z.strictObject({}),
  output: z.object({
    configFile: z.object({ path: z.string(), exists: z.boolean(), source: SourceEnum }),
    paths: z.object({ cache: PathOut, profiles: PathOut, logs: PathOut, proposals: PathOut, data: PathOut, tmp: PathOut, runs: PathOut }),
    routes: z.array(RouteOut),
    adapters: z.array(z.object({ name: z.string(), repoPath: z.string().optional(), extraCliArgs: z.array(z.string()).optional() })),
    headlessAgent: z.object({ driver: z.string(), driverSource: z.string() }),
    defaults: z.object({ adapterConfigMode: z.string(), adapterConfigModeSource: z.string(), maxConcurrentRuns: z.number() }),
    pricingOverrides: z.array(z.string()),
    environment: z.array(z.object({ name: z.string(), value: z.string() })),
    warnings: z.array(z.string()),
  }),
  effect: 'read',
  idempotent: true,
  openWorld: false,
  mode: 'instant',
  async handler(_input, ctx) {
    const { describeConfig } = await import('../src/engine/config/show.js');
    return describeConfig(ctx.engine);
  },
  summarize(out) {
    const lines = [`config file: ${out.configFile.path}${out.configFile.exists ? '' : ' (not present)'}`];
    for (const [name, p] of Object.entries(out.paths)) lines.push(`${name.padEnd(10)} ${p.path}  [${p.source}${p.from ? ` ${p.from}` : ''}]`);
    lines.push('routes (first match wins):');
    for (const r of out.routes) {
      const key = r.key.source === 'env' ? `$${r.key.variable} ${r.key.present ? 'set' : 'NOT SET'}` : r.key.source === 'config' ? `key in config ${r.key.masked}` : 'no key';
      lines.push(`  ${r.match.padEnd(20)} ${r.kind.padEnd(17)} ${key}${r.baseUrl ? `  ${r.baseUrl}` : ''}${r.origin === 'built-in' ? '  (built-in)' : ''}`);
    }
    for (const w of out.warnings) lines.push(`warning: ${w}`);
    return lines.join('\n');
  },
});
