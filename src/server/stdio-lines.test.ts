import { describe, expect, it } from 'vitest';
import { LineChunker, requestId, type OversizedLine } from './stdio-lines.js';

function feed(max: number, pieces: string[]): { lines: string[]; dropped: OversizedLine[] } {
  const dropped: OversizedLine[] = [];
  const chunker = new LineChunker(max, (l) => dropped.push(l));
  const lines: string[] = [];
  chunker.on('data', (b: Buffer) => lines.push(b.toString()));
  for (const p of pieces) chunker.write(Buffer.from(p));
  chunker.end();
  return { lines, dropped };
}

describe('LineChunker', () => {
  it('emits each complete line once, however the pipe cut it', () => {
    const { lines, dropped } = feed(100, ['{"a":', '1}\n{"b"', ':2}\n{"c":3}\n{"d"', ':4}']);
    expect(lines).toEqual(['{"a":1}\n', '{"b":2}\n', '{"c":3}\n', '{"d":4}']);
    expect(dropped).toEqual([]);
  });

  it('drops an over-long line, reports its size and id, and goes on with the next', () => {
    const big = JSON.stringify({ method: 'tools/call', params: { x: 'z'.repeat(300) }, jsonrpc: '2.0', id: 7 });
    const { lines, dropped } = feed(100, [big.slice(0, 50), big.slice(50, 200), `${big.slice(200)}\n{"ok":1}\n`]);
    expect(lines).toEqual(['{"ok":1}\n']);
    expect(dropped).toEqual([{ bytes: big.length + 1, id: 7 }]);
  });

  it('finds the id at the start or the end of a request, never inside it', () => {
    expect(requestId('{"jsonrpc":"2.0","id":"a-1","method":"x"', '')).toEqual({ id: 'a-1' });
    expect(requestId('{"method":"x"', ',"jsonrpc":"2.0","id":12}\n')).toEqual({ id: 12 });
    expect(requestId('{"method":"x"', '"arguments":{"id":3}}}\n')).toEqual({});
  });
});
