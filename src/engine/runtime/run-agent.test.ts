import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDirs } from '../../../test/tmp.js';
import { AdapterUnavailableError } from '../agent/adapters/registry.js';
import type { AdapterRunOptions, AgentAdapter, RunScope } from '../agent/adapters/types.js';
import type { RunResult, RunStatus } from '../agent/types.js';
import type { ChatProvider } from '../llm/types.js';
import { CancelledError, UsageError } from '../util/errors.js';
import { runAdapter, runAgent, stageWorkDir, type AgentJob, type Workload } from './run-agent.js';

/**
 * The runtime's contract with any adapter, shown with adapters written for the test: the
 * order of the steps, the runStatus gate, the work directory's life, and the cleanup scope
 * closing on every way a run can end. (Real runs through bare-agent are covered by the bench,
 * task and profiler suites and the end-to-end tests.)
 */

const tmp = tempDirs('skvm-runtime-');
const noLlm: ChatProvider = { chat: () => Promise.reject(new Error('the test adapters never call the model')) };

function result(workDir: string, runStatus: RunStatus, text = 'done'): RunResult {
  return { text, steps: [], tokens: { input: 0, output: 0, cacheRead: 0, cacheWrite: 0 }, cost: 0, durationMs: 1, llmDurationMs: 0, workDir, runStatus };
}

interface TestAdapterLog {
  runs: AdapterRunOptions[];
  cleaned: string[];
}

function testAdapter(behave: (opts: AdapterRunOptions, scope: RunScope) => Promise<RunResult>, extra: Partial<AgentAdapter> = {}): AgentAdapter & { log: TestAdapterLog } {
  const log: TestAdapterLog = { runs: [], cleaned: [] };
  return {
    name: 'test-harness',
    modes: ['managed'],
    skillDelivery: ['inject'],
    available: async () => ({ ok: true }),
    run: (opts, scope) => {
      log.runs.push(opts);
      return behave(opts, scope);
    },
    ...extra,
    log,
  };
}

function job(tmpRoot: string, over: Partial<AgentJob> = {}): AgentJob {
  return {
    adapter: 'test-harness',
    model: 'sim/x',
    llm: noLlm,
    prompt: 'do the thing',
    maxSteps: 3,
    timeoutMs: 5_000,
    web: false,
    sandbox: { mode: 'auto', network: false },
    tmpRoot,
    workDirPrefix: 'skvm-rt-',
    ...over,
  };
}

const writesInput: Workload<never>['prepare'] = async (workDir) => writeFileSync(path.join(workDir, 'input.txt'), 'hello');

describe('runtime: runAdapter', () => {
  it('prepares, runs, evaluates an ok run, inspects, then removes the work directory', async () => {
    const root = tmp();
    const order: string[] = [];
    const adapter = testAdapter(async (opts) => {
      order.push(`run sees ${readFileSync(path.join(opts.workDir, 'input.txt'), 'utf8')}`);
      writeFileSync(path.join(opts.workDir, 'out.txt'), 'answer');
      return result(opts.workDir, 'ok');
    });
    const out = await runAdapter(adapter, job(root), {
      prepare: async (d) => {
        order.push('prepare');
        await writesInput(d);
      },
      evaluate: async ({ workDir }) => {
        order.push('evaluate');
        return readFileSync(path.join(workDir, 'out.txt'), 'utf8');
      },
      inspect: async ({ evaluation }) => void order.push(`inspect ${evaluation}`),
    });
    expect(order).toEqual(['prepare', 'run sees hello', 'evaluate', 'inspect answer']);
    expect(out.evaluation).toBe('answer');
    expect(out.workDir).toBeNull();
    expect(readdirSync(root)).toEqual([]);
    expect(adapter.log.runs[0]).toMatchObject({ model: 'sim/x', prompt: 'do the thing', mode: 'managed', web: false, maxSteps: 3 });
  });

  it('never evaluates a run that is not ok (the gate), but still lets the workload inspect it', async () => {
    const root = tmp();
    let evaluated = false;
    let inspected: string | undefined;
    const out = await runAdapter(testAdapter(async (o) => result(o.workDir, 'timeout')), job(root), {
      prepare: writesInput,
      evaluate: async () => {
        evaluated = true;
        return 1;
      },
      inspect: async ({ run, evaluation }) => void (inspected = `${run.runStatus} ${String(evaluation)}`),
    });
    expect(evaluated).toBe(false);
    expect(inspected).toBe('timeout undefined');
    expect(out.evaluation).toBeUndefined();
    expect(out.run.runStatus).toBe('timeout');
  });

  it('keeps the work directory when the job asks, and only then', async () => {
    const root = tmp();
    const kept = await runAdapter(testAdapter(async (o) => result(o.workDir, 'ok')), job(root, { keepWorkDir: true }), { prepare: writesInput });
    expect(kept.workDir).not.toBeNull();
    expect(existsSync(path.join(kept.workDir!, 'input.txt'))).toBe(true);
    expect(readdirSync(root)).toEqual([path.basename(kept.workDir!)]);
  });

  it('runs in a work directory staged ahead, which it removes after, or discards when the harness cannot run', async () => {
    const root = tmp();
    let prepareCalled = false;
    const staged = await stageWorkDir({ tmpRoot: root, workDirPrefix: 'skvm-rt-' }, writesInput);
    const adapter = testAdapter(async (o) => {
      expect(o.workDir).toBe(staged.workDir);
      return result(o.workDir, 'ok', readFileSync(path.join(o.workDir, 'input.txt'), 'utf8'));
    });
    const out = await runAdapter(adapter, job(root, { staged }), { prepare: async () => void (prepareCalled = true) });
    expect(out.run.text).toBe('hello');
    expect(prepareCalled).toBe(false);
    expect(readdirSync(root)).toEqual([]);
    const unusable = await stageWorkDir({ tmpRoot: root, workDirPrefix: 'skvm-rt-' }, writesInput);
    await expect(runAgent(job(root, { adapter: 'codex', staged: unusable }), {})).rejects.toBeInstanceOf(AdapterUnavailableError);
    expect(readdirSync(root)).toEqual([]);
    await expect(stageWorkDir({ tmpRoot: root, workDirPrefix: 'skvm-rt-' }, async () => Promise.reject(new Error('disk full')))).rejects.toThrow('disk full');
    expect(readdirSync(root)).toEqual([]);
  });

  it('tells the workload the agent is done before grading it', async () => {
    const order: string[] = [];
    await runAdapter(testAdapter(async (o) => (order.push('agent'), result(o.workDir, 'ok'))), job(tmp()), {
      prepare: writesInput,
      agentDone: async () => void order.push('agent done'),
      evaluate: async () => void order.push('evaluate'),
    });
    expect(order).toEqual(['agent', 'agent done', 'evaluate']);
  });

  it('closes the cleanup scope, newest first, when the run is cancelled — and removes the work directory', async () => {
    const root = tmp();
    const ctl = new AbortController();
    const adapter = testAdapter(
      (opts, scope) =>
        new Promise<RunResult>((_resolve, reject) => {
          scope.defer(() => void adapter.log.cleaned.push('temp home'));
          scope.defer(async () => void adapter.log.cleaned.push('child process'));
          opts.signal!.addEventListener('abort', () => reject(new CancelledError(opts.signal!.reason)));
          setTimeout(() => ctl.abort('user cancelled'), 20);
        }),
    );
    await expect(runAdapter(adapter, job(root, { signal: ctl.signal }), { prepare: writesInput })).rejects.toBeInstanceOf(CancelledError);
    expect(adapter.log.cleaned).toEqual(['child process', 'temp home']);
    expect(readdirSync(root)).toEqual([]);
  });

  it('closes the scope when the adapter throws, even if one cleanup fails, and passes the error on', async () => {
    const root = tmp();
    const adapter = testAdapter(async (_o, scope) => {
      scope.defer(() => void adapter.log.cleaned.push('first'));
      scope.defer(() => {
        throw new Error('cleanup broke');
      });
      throw new Error('vendor down');
    });
    await expect(runAdapter(adapter, job(root), { prepare: writesInput })).rejects.toThrow('vendor down');
    expect(adapter.log.cleaned).toEqual(['first']);
    expect(readdirSync(root)).toEqual([]);
  });

  it('tells the workload the agent is done before the cleanups run, and closes the scope before evaluating — even when agentDone throws', async () => {
    const root = tmp();
    const order: string[] = [];
    const adapter = testAdapter(async (o, scope) => {
      scope.defer(async () => void order.push('cleanup'));
      return result(o.workDir, 'ok');
    });
    await runAdapter(adapter, job(root), {
      agentDone: async () => void order.push('agent done'),
      evaluate: async () => void order.push('evaluate'),
    });
    expect(order).toEqual(['agent done', 'cleanup', 'evaluate']);

    order.length = 0;
    await expect(
      runAdapter(adapter, job(root), {
        agentDone: async () => {
          throw new Error('scheduler gone');
        },
      }),
    ).rejects.toThrow('scheduler gone');
    expect(order).toEqual(['cleanup']);
    expect(readdirSync(root)).toEqual([]);
  });

  it('does not start the agent when preparation fails', async () => {
    const root = tmp();
    const adapter = testAdapter(async (o) => result(o.workDir, 'ok'));
    await expect(
      runAdapter(adapter, job(root), {
        prepare: async () => {
          throw new Error('setup script exited 1');
        },
      }),
    ).rejects.toThrow('setup script exited 1');
    expect(adapter.log.runs).toHaveLength(0);
    expect(readdirSync(root)).toEqual([]);
  });

  it('refuses before any work directory exists: unavailable harness, wrong mode, unsupported skill delivery', async () => {
    const root = tmp();
    const missing = testAdapter(async (o) => result(o.workDir, 'ok'), { available: async () => ({ ok: false, reason: 'test-harness is not on PATH', installHint: 'install it' }) });
    const err = await runAdapter(missing, job(root), { prepare: writesInput }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AdapterUnavailableError);
    expect((err as AdapterUnavailableError).hint).toBe('install it');
    const plain = testAdapter(async (o) => result(o.workDir, 'ok'));
    await expect(runAdapter(plain, job(root, { mode: 'native' }), { prepare: writesInput })).rejects.toBeInstanceOf(UsageError);
    const skill = { name: 's', description: 'd', dir: root, skillMdPath: path.join(root, 'SKILL.md'), content: 'x', frontMatter: {}, files: [], contentHash: '0' };
    await expect(runAdapter(plain, job(root, { skills: { mode: 'discover', skills: [skill] } }), { prepare: writesInput })).rejects.toThrow(/cannot deliver skills in discover mode/);
    expect(plain.log.runs).toHaveLength(0);
    expect(readdirSync(root)).toEqual([]);
  });

  it('runAgent resolves the harness by name through the registry', async () => {
    await expect(runAgent(job(tmp(), { adapter: 'codex' }), { prepare: writesInput })).rejects.toBeInstanceOf(AdapterUnavailableError);
    await expect(runAgent(job(tmp(), { adapter: 'nope' }), { prepare: writesInput })).rejects.toThrow('Unknown adapter "nope".');
  });
});
