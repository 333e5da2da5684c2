import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Client } from '@modelcontextprotocol/client';
import { StdioClientTransport } from '@modelcontextprotocol/client/stdio';

export type Era = 'legacy' | 'modern';
export const ERAS: Era[] = ['legacy', 'modern'];

export const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const SERVER_ENTRY = path.join(REPO, 'dist/bin/skvm-mcp.js');
export const TEST_SERVER_ENTRY = path.join(REPO, 'test/fixtures/test-server.mjs');
export const CLI_ENTRY = path.join(REPO, 'dist/bin/skvm.js');
/** Node args that make a server or CLI register its probes for a planted-capability simulator (SKVM_SIM_PROBE_REGISTRY). */
export const PROBE_REGISTRY_IMPORT = ['--import', pathToFileURL(path.join(REPO, 'dist/src/engine/sim/probe-registry-preload.js')).href];

export interface Connected {
  client: Client;
  transport: StdioClientTransport;
  stderr(): string;
  close(): Promise<void>;
}

export function tempDir(prefix: string): string {
  return mkdtempSync(path.join(tmpdir(), `skvm-${prefix}-`));
}

export function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

/**
 * Spawn the built server (or the test server, which adds test-only run operations) over
 * stdio with the official client, as a 2025-11-25 ("legacy") or 2026-07-28 ("modern") client.
 * The child gets a minimal environment: no API keys unless the test passes them.
 */
export async function connect(opts: { era: Era; cache: string; env?: Record<string, string>; testServer?: boolean; args?: string[]; nodeArgs?: string[] }): Promise<Connected> {
  const client = new Client(
    { name: 'skvm-e2e', version: '0.0.1' },
    opts.era === 'modern' ? { versionNegotiation: { mode: { pin: '2026-07-28' } } } : {},
  );
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [...(opts.nodeArgs ?? []), opts.testServer ? TEST_SERVER_ENTRY : SERVER_ENTRY, `--skvm-cache=${opts.cache}`, ...(opts.args ?? [])],
    env: { PATH: process.env.PATH ?? '', HOME: opts.cache, SKVM_LOG_LEVEL: 'warn', ...opts.env },
    stderr: 'pipe',
  });
  let err = '';
  transport.stderr?.on('data', (d: Buffer) => (err += d.toString()));
  await client.connect(transport);
  return {
    client,
    transport,
    stderr: () => err,
    close: async () => {
      await client.close().catch(() => {});
    },
  };
}

/** What a child process wrote and its exit code, once it has closed. */
export function outputOf(child: ChildProcessWithoutNullStreams): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, out, err }));
  });
}

/** The text of the first content block of a tool result. */
export function textOf(result: unknown): string {
  const content = (result as { content?: Array<{ type: string; text?: string }> }).content ?? [];
  return content.find((c) => c.type === 'text')?.text ?? '';
}
