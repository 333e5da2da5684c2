import { describe, expect, it } from 'vitest';
import { BARE_AGENT_TOOLS } from '../../agent/tools.js';
import type { ToolSpec } from '../../llm/types.js';
import { translateBareCall } from './bare-to-harness.js';

const tool = (name: string, properties: Record<string, unknown>): ToolSpec => ({ name, description: '', inputSchema: { type: 'object', properties } });
const PI = [tool('bash', { command: { type: 'string' } }), tool('read', { path: { type: 'string' } }), tool('write', { path: { type: 'string' }, content: { type: 'string' } })];
const OPENCODE = [tool('bash', { command: { type: 'string' } }), tool('write', { filePath: { type: 'string' }, content: { type: 'string' } })];
const CODEX_ARGV = [tool('shell', { command: { type: 'array', items: { type: 'string' } } })];

describe('translateBareCall', () => {
  it('keeps a call whose tool is offered under its own name', () => {
    const c = { name: 'write_file', arguments: { path: 'a', content: 'b' } };
    expect(translateBareCall(c, BARE_AGENT_TOOLS, '/w')).toEqual({ call: c });
  });

  it("uses the harness's write and read tools under their argument names, else its shell", () => {
    expect(translateBareCall({ name: 'write_file', arguments: { path: 'd/a.txt', content: 'x' } }, OPENCODE, '/w')).toEqual({ call: { name: 'write', arguments: { filePath: '/w/d/a.txt', content: 'x' } } });
    expect(translateBareCall({ name: 'read_file', arguments: { path: 'a.txt' } }, PI, undefined)).toEqual({ call: { name: 'read', arguments: { path: 'a.txt' } } });
    expect(translateBareCall({ name: 'read_file', arguments: { path: 'a b.txt' } }, OPENCODE, '/w')).toEqual({ call: { name: 'bash', arguments: { command: "cat -- '/w/a b.txt'" } } });
    expect(translateBareCall({ name: 'list_directory', arguments: {} }, PI, '/w')).toEqual({ call: { name: 'bash', arguments: { command: 'ls -1Ap -- /w' } } });
    expect(translateBareCall({ name: 'execute_command', arguments: { command: 'python3 x.py' } }, CODEX_ARGV, '/w')).toEqual({ call: { name: 'shell', arguments: { command: ['bash', '-lc', 'python3 x.py'] } } });
  });

  it('turns web_fetch into curl with method, headers and body', () => {
    const t = translateBareCall({ name: 'web_fetch', arguments: { url: 'http://127.0.0.1:9/api?a=1', method: 'post', headers: { 'Content-Type': 'application/json' }, body: '{"k":1}' } }, PI, '/w');
    expect(t).toEqual({ call: { name: 'bash', arguments: { command: `curl -sS -X POST -H 'Content-Type: application/json' --data-binary '{"k":1}' 'http://127.0.0.1:9/api?a=1'` } } });
    expect(translateBareCall({ name: 'web_fetch', arguments: { url: 'http://h/x' } }, PI, '/w')).toEqual({ call: { name: 'bash', arguments: { command: 'curl -sS http://h/x' } } });
  });

  it('names what it cannot translate', () => {
    expect(translateBareCall({ name: 'load_skill', arguments: { name: 's' } }, PI, '/w')).toEqual({ untranslatable: 'the bare-agent call load_skill({"name":"s"}) has no equivalent among the offered tools (bash, read, write)' });
    expect(translateBareCall({ name: 'write_file', arguments: { path: 'a' } }, [], '/w')).toEqual({ untranslatable: 'the bare-agent call write_file needs a shell tool and the request offers none (offered: none)' });
  });
});
