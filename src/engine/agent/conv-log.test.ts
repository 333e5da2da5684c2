import { promises as fsp } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { LlmClient } from '../llm/client.js';
import type { ChatRequest } from '../llm/types.js';
import { scriptedPolicy, startSimServer } from '../sim/index.js';
import { silentLogger } from '../util/log.js';
import { ConversationLog } from './conv-log.js';

describe('ConversationLog', () => {
  it('splits trailing tool results into toolResults and names the method', () => {
    const log = new ConversationLog();
    const base: ChatRequest = { model: 'm/x', system: 'sys', messages: [{ role: 'user', content: 'go' }], tools: [{ name: 't', description: 'd', inputSchema: {} }], maxTokens: 10 };
    log.logRequest(base);
    log.logRequest({
      ...base,
      messages: [
        { role: 'user', content: 'go' },
        { role: 'assistant', content: '', toolCalls: [{ id: 'c1', name: 't', arguments: {} }, { id: 'c2', name: 't', arguments: {} }] },
        { role: 'tool', toolCallId: 'c1', content: 'one' },
        { role: 'tool', toolCallId: 'c2', content: 'two', isError: true },
      ],
    });
    const [a, b] = log.all() as [Record<string, unknown>, Record<string, unknown>];
    expect(a).toMatchObject({ type: 'request', method: 'complete', system: 'sys', tools: [{ name: 't', description: 'd' }], maxTokens: 10 });
    expect(a.toolResults).toBeUndefined();
    expect(b.method).toBe('completeWithToolResults');
    expect((b.messages as unknown[]).length).toBe(2);
    expect(b.toolResults).toEqual([
      { toolCallId: 'c1', content: 'one' },
      { toolCallId: 'c2', content: 'two', isError: true },
    ]);
  });

  it('logs calls through the real client, redacts the route key, and writes nothing when empty', async () => {
    const secret = 'conv-log-route-key-987654321';
    const sim = await startSimServer({ policy: scriptedPolicy([{ kind: 'message', text: `leak ${secret}`, usage: { input: 3, output: 4 } }]) });
    const dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'skvm-convlog-'));
    try {
      const empty = new ConversationLog();
      expect(await empty.writeTo(path.join(dir, 'empty.jsonl'))).toBe(false);
      await expect(fsp.access(path.join(dir, 'empty.jsonl'))).rejects.toThrow();

      const client = new LlmClient({
        config: () => ({ providers: { routes: [{ match: 'sim/*', kind: 'openai-compatible', baseUrl: sim.openaiBaseUrl, apiKeyEnv: 'K' }] }, pricing: { 'sim/m': { input: 1, output: 1 } } }),
        configFile: '/tmp/none.json',
        env: { K: secret },
        log: silentLogger,
      });
      const log = new ConversationLog();
      const res = await log.wrap(client).chat({ model: 'sim/m', messages: [{ role: 'user', content: `key=${secret}` }] });
      expect(res.text).toBe(`leak ${secret}`); // the model said it; only logs and results are scrubbed
      const file = path.join(dir, 'a', 'b', 'c.jsonl');
      expect(await log.writeTo(file)).toBe(true);
      const raw = await fsp.readFile(file, 'utf8');
      expect(raw).not.toContain(secret);
      const lines = raw.trimEnd().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
      expect(lines.map((l) => l.type)).toEqual(['request', 'response']);
      expect(lines[0]).toMatchObject({ method: 'complete', messages: [{ role: 'user', content: 'key=***' }] });
      expect(lines[1]).toMatchObject({ text: 'leak ***', costUsd: 7 / 1_000_000, tokens: { input: 3, output: 4, cacheRead: 0, cacheWrite: 0 }, stopReason: 'end_turn', toolCalls: [] });
      expect(typeof lines[1]!.durationMs).toBe('number');
    } finally {
      await sim.close();
      await fsp.rm(dir, { recursive: true, force: true });
    }
  });
});
