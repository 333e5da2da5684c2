import { existsSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, removeDir, tempDir, textOf, type Connected } from './harness.js';

/**
 * clean_jit through the built server: a dry run lists exactly the targets of one model +
 * harness and deletes nothing; the real run deletes them and nothing else — not another model's
 * state, not the candidates, and never a path that resolves outside the proposals root.
 */

const MODEL = 'sim/boost-1';
const OTHER = 'sim/other-2';

type ToolResult = { isError?: boolean; structuredContent?: Record<string, any> };

function cell(skillId: string) {
  const tokens = { input: 1, output: 1, cacheRead: 0, cacheWrite: 0 };
  return { condition: 'jit-boost', score: 1, pass: true, evalDetails: [], tokens, cost: 0, durationMs: 1, llmDurationMs: 1, steps: 1, skillId, runStatus: 'ok' };
}

function write(file: string, text: string): void {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, text);
}

describe('clean_jit over stdio', () => {
  let cache: string;
  let outside: string;
  let conn: Connected;
  const logs = () => path.join(cache, 'log');
  const boost = (skill: string, file: string) => path.join(cache, 'proposals', 'jit-boost', skill, file);

  beforeAll(async () => {
    cache = tempDir('e2e-clean-jit');
    outside = tempDir('e2e-clean-jit-outside');
    const session = (id: string, model: string, skills: string[]) =>
      write(path.join(logs(), 'bench', id, 'progress.json'), JSON.stringify({ sessionId: id, model, adapter: 'bare-agent', startedAt: '2026-12-01T00:00:00.000Z', entries: skills.map((s) => ({ taskId: 't', condition: 'jit-boost', runIndex: 0, result: cell(s) })) }));
    session('20261201-100000-bench-boost-1-jit-boost', MODEL, ['word-count', 'escape']);
    session('20261201-110000-bench-other-2-jit-boost', OTHER, ['pdf']);
    for (const s of ['word-count', 'pdf']) {
      write(boost(s, 'solidification-state.json'), '{}\n');
      write(boost(s, 'boost-candidates.json'), '{"candidates":[]}\n');
    }
    // A skill folder that is a link leading out of the proposals root.
    write(path.join(outside, 'solidification-state.json'), 'not ours\n');
    symlinkSync(outside, path.join(cache, 'proposals', 'jit-boost', 'escape'));
    write(path.join(logs(), 'runtime', 'bare-agent', 'sim--boost-1', 't', 'a.jsonl'), '{}\n');
    write(path.join(logs(), 'runtime', 'bare-agent', 'sim--other-2', 't', 'b.jsonl'), '{}\n');
    conn = await connect({ era: 'legacy', cache });
  });
  afterAll(async () => {
    await conn?.close();
    removeDir(cache);
    removeDir(outside);
  });

  it('is annotated destructive', async () => {
    const tool = (await conn.client.listTools()).tools.find((t) => t.name === 'clean_jit')!;
    expect(tool.annotations).toMatchObject({ destructiveHint: true, readOnlyHint: false });
  });

  it('dry run lists the targets and deletes nothing; the real run deletes exactly them', async () => {
    const dry = (await conn.client.callTool({ name: 'clean_jit', arguments: { model: MODEL, adapter: 'bare-agent', dryRun: true } })) as ToolResult;
    expect(dry.isError, textOf(dry)).toBeFalsy();
    const expected = [
      { kind: 'runtime-logs', path: path.join(logs(), 'runtime', 'bare-agent', 'sim--boost-1') },
      { kind: 'boost-state', path: boost('word-count', 'solidification-state.json'), skillId: 'word-count' },
    ];
    expect(dry.structuredContent).toMatchObject({ dryRun: true, deleted: 0, targets: expected });
    expect(dry.structuredContent!.notes.join('\n')).toMatch(/refused .*escape.*outside/);
    expect(textOf(dry)).toContain('Would delete 2 item(s)');
    expect(existsSync(boost('word-count', 'solidification-state.json'))).toBe(true);

    const real = (await conn.client.callTool({ name: 'clean_jit', arguments: { model: MODEL, adapter: 'bare-agent' } })) as ToolResult;
    expect(real.isError, textOf(real)).toBeFalsy();
    expect(real.structuredContent).toMatchObject({ dryRun: false, deleted: 2, failed: [], targets: expected });
    expect(existsSync(boost('word-count', 'solidification-state.json'))).toBe(false);
    expect(existsSync(path.join(logs(), 'runtime', 'bare-agent', 'sim--boost-1'))).toBe(false);
    // Kept: the candidates, the other model's state and logs, the file behind the link, the bench sessions.
    expect(existsSync(boost('word-count', 'boost-candidates.json'))).toBe(true);
    expect(existsSync(boost('pdf', 'solidification-state.json'))).toBe(true);
    expect(existsSync(path.join(logs(), 'runtime', 'bare-agent', 'sim--other-2'))).toBe(true);
    expect(existsSync(path.join(outside, 'solidification-state.json'))).toBe(true);
    expect(existsSync(path.join(logs(), 'bench', '20261201-100000-bench-boost-1-jit-boost'))).toBe(true);

    const again = (await conn.client.callTool({ name: 'clean_jit', arguments: { model: MODEL, adapter: 'bare-agent', includeBenchLogs: true } })) as ToolResult;
    expect(again.structuredContent).toMatchObject({ deleted: 1, targets: [{ kind: 'bench-session' }] });
    expect(existsSync(path.join(logs(), 'bench', '20261201-100000-bench-boost-1-jit-boost'))).toBe(false);
    expect(existsSync(path.join(logs(), 'bench', '20261201-110000-bench-other-2-jit-boost'))).toBe(true);
  });

  it('rejects a harness that is not one', async () => {
    const r = (await conn.client.callTool({ name: 'clean_jit', arguments: { model: MODEL, adapter: 'nope' } })) as ToolResult;
    expect(r.isError).toBe(true);
    expect(textOf(r)).toMatch(/unknown harness "nope"/);
  });
});
