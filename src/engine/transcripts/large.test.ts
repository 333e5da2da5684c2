import { createWriteStream } from 'node:fs';
import * as path from 'node:path';
import { once } from 'node:events';
import { describe, expect, it } from 'vitest';
import { byStrength } from '../../../test/strength.js';
import { tempDirs } from '../../../test/tmp.js';
import { parseTranscriptFile, TRANSCRIPT_CAPS } from './index.js';

/**
 * A large Claude Code session parses in bounded memory: it is streamed line by line and every
 * retained tool output is capped. The developer loop parses 20 MB; `npm run test:full` the
 * 200 MB the issue names (it takes tens of seconds on a shared two-core machine).
 */
const MB = 1024 * 1024;
const SIZE = byStrength(20 * MB, 200 * MB);
const RSS_GROWTH_LIMIT = 150 * MB;
const tmp = tempDirs('skvm-large-transcript-');

/** Writes `size` bytes of turns: a prompt, then Bash calls whose results are ~16 KB each. Returns the call count. */
async function writeSession(file: string, size: number): Promise<number> {
  const out = createWriteStream(file);
  const base = { sessionId: 'big-session', cwd: '/work/big', version: '2.1.330', isSidechain: false };
  const write = async (o: object) => {
    if (!out.write(`${JSON.stringify({ ...base, ...o })}\n`)) await once(out, 'drain');
  };
  await write({ type: 'user', message: { role: 'user', content: 'Process the big log' }, timestamp: '2026-11-30T00:00:00.000Z', uuid: 'u0' });
  const chunk = 'log line with some text 0123456789\n'.repeat(460); // ~16 KB
  let calls = 0;
  while (out.bytesWritten + out.writableLength < size) {
    const id = `toolu_${calls}`;
    await write({ type: 'assistant', message: { id: `msg_${calls}`, role: 'assistant', model: 'claude-sim-1', content: [{ type: 'tool_use', id, name: 'Bash', input: { command: `sed -n ${calls}p big.log` } }], usage: { input_tokens: 10, output_tokens: 2 } }, uuid: `a${calls}` });
    await write({ type: 'user', message: { role: 'user', content: [{ type: 'tool_result', tool_use_id: id, content: `${calls}\n${chunk}`, is_error: calls % 100 === 0 }] }, uuid: `r${calls}` });
    calls++;
  }
  out.end();
  await once(out, 'finish');
  return calls;
}

describe('large transcripts', () => {
  it(`a ${SIZE / MB} MB Claude Code session parses with every turn and bounded memory`, { timeout: 300_000 }, async () => {
    const file = path.join(tmp(), 'big.jsonl');
    const calls = await writeSession(file, SIZE);
    const before = process.memoryUsage().rss;
    let peak = before;
    const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20);
    const t = await parseTranscriptFile(file);
    clearInterval(sampler);
    peak = Math.max(peak, process.memoryUsage().rss);
    expect(t.format).toBe('claude-code-session');
    expect(t.turns).toHaveLength(1 + 2 * calls);
    expect(t.skippedLines).toBe(0);
    expect(t.usage.input).toBe(10 * calls);
    const last = t.turns[t.turns.length - 1]!;
    expect(last).toMatchObject({ kind: 'tool-result', toolCallId: `toolu_${calls - 1}` });
    expect(last.text!.length).toBeLessThan(TRANSCRIPT_CAPS.toolOutput + 100);
    expect(last.text).toMatch(/…\[truncated \d+ of \d+ chars\]$/);
    expect(t.turns.filter((x) => x.isError)).toHaveLength(Math.ceil(calls / 100));
    expect(peak - before).toBeLessThan(RSS_GROWTH_LIMIT);
  });
});
