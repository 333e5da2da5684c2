import { createWriteStream } from 'node:fs';
import { once } from 'node:events';

/**
 * Writes a synthetic Claude Code session of about `size` bytes, streamed to disk: a prompt, then
 * Bash calls whose results are ~16 KB each (every hundredth one an error). Returns the number of
 * calls. Shared by the large-transcript test and npm run bench:transcripts.
 */
export async function writeLargeClaudeSession(file: string, size: number): Promise<number> {
  const out = createWriteStream(file);
  const base = { sessionId: 'big-session', cwd: '/work/big', version: '2.1.330', isSidechain: false };
  const write = async (o: object) => {
    if (!out.write(`${JSON.stringify({ ...base, ...o })}\n`)) await once(out, 'drain');
  };
  await write({ type: 'user', message: { role: 'user', content: 'Process the big log' }, timestamp: '2026-11-30T00:00:00.000Z', uuid: 'u0' });
  const chunk = 'log line with some text 0123456789\n'.repeat(460);
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
