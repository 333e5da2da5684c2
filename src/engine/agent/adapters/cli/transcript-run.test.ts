import { writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDirs } from '../../../../../test/tmp.js';
import { runFromTranscript } from './transcript-run.js';

const tmp = tempDirs('skvm-transcript-run-');

function file(lines: object[]): string {
  const f = path.join(tmp(), 'out.jsonl');
  writeFileSync(f, lines.map((l) => JSON.stringify(l)).join('\n') + '\n');
  return f;
}

const opts = { harness: 'codex', model: 'sim/unpriced', silentRun: 'ok' as const };

describe('runFromTranscript', () => {
  it('steps as bare-agent records them: an assistant step (its text and calls), then a tool step with outputs and exit codes', async () => {
    const f = file([
      { type: 'thread.started', thread_id: 't1' },
      { type: 'item.completed', item: { id: 'i1', type: 'agent_message', text: 'Looking.' } },
      { type: 'item.completed', item: { id: 'c1', type: 'command_execution', command: 'ls', aggregated_output: 'a\n', exit_code: 0, status: 'completed' } },
      { type: 'item.completed', item: { id: 'c2', type: 'command_execution', command: 'cat x', aggregated_output: 'no x\n', exit_code: 1, status: 'failed' } },
      { type: 'item.completed', item: { id: 'i2', type: 'agent_message', text: 'Finished.' } },
      { type: 'turn.completed', usage: { input_tokens: 100, cached_input_tokens: 40, output_tokens: 9 } },
    ]);
    const r = await runFromTranscript(f, opts);
    expect(r.steps.map((s) => [s.role, s.text ?? null, s.toolCalls.map((c) => c.id)])).toEqual([
      ['assistant', 'Looking.', ['c1']],
      ['tool', null, ['c1']],
      ['assistant', null, ['c2']],
      ['tool', null, ['c2']],
      ['assistant', 'Finished.', []],
    ]);
    expect(r.steps[3]!.toolCalls[0]).toMatchObject({ name: 'shell', input: { command: 'cat x' }, output: 'no x\n', exitCode: 1 });
    expect(r.text).toBe('Finished.');
    expect(r.tokens).toEqual({ input: 60, output: 9, cacheRead: 40, cacheWrite: 0 });
    expect(r.usageAvailable).toBe(true);
    expect(r.cost).toBeNull(); // no vendor cost, no price for the model
    expect(r.runStatus).toBeUndefined();
  });

  it("the harness's own failure becomes adapter-crashed with its message as the error to diagnose", async () => {
    const f = file([{ type: 'thread.started', thread_id: 't1' }, { type: 'turn.failed', error: { message: 'unexpected status 401 Unauthorized' } }]);
    const r = await runFromTranscript(f, opts);
    expect(r).toMatchObject({ runStatus: 'adapter-crashed', error: { text: 'unexpected status 401 Unauthorized', source: 'codex:codex-exec-json' } });
    expect(r.text).toBe('');
  });

  it('a vendor cost of 0 for a model it cannot price is unknown, a real one is kept', async () => {
    const session = { type: 'session', version: 3, id: 's1', timestamp: '2026-01-01T00:00:00.000Z', cwd: '/w' };
    const msg = (cost: number) => ({ type: 'message_end', message: { role: 'assistant', content: [{ type: 'text', text: 'hi' }], usage: { input: 10, output: 2, cacheRead: 0, cacheWrite: 0, cost: { total: cost } } } });
    expect((await runFromTranscript(file([session, msg(0)]), { ...opts, harness: 'pi' })).cost).toBeNull();
    expect((await runFromTranscript(file([session, msg(0.5)]), { ...opts, harness: 'pi' })).cost).toBe(0.5);
  });

  it('output with no events: ok with telemetry only, or parse-failed for a harness that always prints some', async () => {
    const f = path.join(tmp(), 'empty.jsonl');
    writeFileSync(f, 'Error: something printed as text\n');
    expect(await runFromTranscript(f, opts)).toMatchObject({ usageAvailable: false, steps: [], statusDetail: expect.stringMatching(/telemetry only/) });
    expect((await runFromTranscript(f, { ...opts, silentRun: 'parse-failed' })).runStatus).toBe('parse-failed');
  });
});
