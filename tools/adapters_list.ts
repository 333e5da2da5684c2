import { z } from 'zod';
import { defineOperation } from '../src/contract/operation.js';

const Adapter = z.object({
  name: z.string(),
  title: z.string(),
  built: z.boolean().describe('This release has an adapter for it'),
  runnable: z.boolean().describe('It can run on this machine now'),
  reason: z.string().optional().describe('Why it cannot run'),
  installHint: z.string().optional(),
  cli: z.object({ path: z.string(), version: z.string().optional() }).optional().describe('The harness CLI found on this machine'),
  modes: z.array(z.enum(['managed', 'native'])).describe('managed: configured from our routes; native: the user’s own harness configuration'),
  skillDelivery: z.array(z.enum(['inject', 'discover'])),
});

export const adaptersListTool = defineOperation({
  name: 'adapters_list',
  title: 'List agent harnesses',
  description:
    'List the agent harnesses (adapters) SkVM knows — bare-agent, Claude Code, Codex, opencode and the others — with whether each can run on this machine now, why not and how to fix it, the installed CLI’s version, its modes (managed/native) and how it receives skills (inject/discover). Use it before profile, run_task or bench to pick a harness; only runnable ones are accepted there.',
  input: z.strictObject({}),
  output: z.object({ adapters: z.array(Adapter), runnable: z.array(z.string()).describe('Names you can pass as adapter / harnesses') }),
  effect: 'read',
  idempotent: true,
  openWorld: false,
  mode: 'instant',
  async handler(_input, ctx) {
    const [{ adapterStatuses }, { sandboxMode }] = await Promise.all([import('../src/engine/agent/adapters/status.js'), import('../src/engine/config/sandbox.js')]);
    let adaptersConfig: Record<string, unknown> = {};
    try {
      adaptersConfig = ctx.engine.config().config.adapters ?? {};
    } catch {
      // An invalid config must not hide which harnesses exist; config_doctor reports it.
    }
    const adapters = await adapterStatuses(ctx.engine.env, adaptersConfig, sandboxMode(ctx.engine));
    return { adapters: adapters.map((a) => ({ ...a, modes: [...a.modes], skillDelivery: [...a.skillDelivery] })), runnable: adapters.filter((a) => a.runnable).map((a) => a.name) };
  },
  summarize(out) {
    const rows = out.adapters.map((a) => {
      const state = a.runnable ? 'runnable' : a.reason ?? 'cannot run';
      const cli = a.cli ? ` — ${a.cli.version ?? a.cli.path}` : '';
      return `${a.name.padEnd(12)} ${state}${cli} (${a.modes.join('/')}; skills ${a.skillDelivery.join('/')})${a.installHint && !a.runnable ? `\n${' '.repeat(13)}${a.installHint}` : ''}`;
    });
    return [...rows, `runnable here: ${out.runnable.join(', ') || 'none'}`].join('\n');
  },
});
