import { execFile } from 'node:child_process';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO, removeDir, SERVER_ENTRY, tempDir } from './harness.js';

/**
 * The official MCP Inspector CLI lints every tool schema for portability across host dialects
 * (`--strict`); the built server must list its tools with no finding at all (CI fails on any).
 */
const INSPECTOR = path.join(REPO, 'node_modules/@modelcontextprotocol/inspector/clients/launcher/build/index.js');

let home: string;
beforeAll(() => {
  home = tempDir('inspector');
});
afterAll(() => removeDir(home));

describe('MCP Inspector --strict', () => {
  it('lists every tool with zero schema findings', async () => {
    const { stdout } = await promisify(execFile)(
      process.execPath,
      [INSPECTOR, '--cli', process.execPath, SERVER_ENTRY, `--skvm-cache=${path.join(home, 'cache')}`, '--method', 'tools/list', '--strict', '--format', 'json', '-q'],
      { env: { PATH: process.env.PATH ?? '', HOME: home }, maxBuffer: 16 * 1024 * 1024 },
    );
    const out = JSON.parse(stdout) as { result: { tools: Array<{ name: string }> }; schemaFindings?: Array<{ toolName: string; findings: Array<{ path: string; issue: string }> }> };
    expect(out.result.tools.length).toBeGreaterThan(10);
    const findings = (out.schemaFindings ?? []).flatMap((t) => t.findings.map((f) => `${t.toolName} ${f.path}: ${f.issue}`));
    expect(findings).toEqual([]);
  });
});
