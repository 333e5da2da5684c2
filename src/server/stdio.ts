import type { Readable, Writable } from 'node:stream';
import { STDIO_DEFAULT_MAX_BUFFER_SIZE } from '@modelcontextprotocol/server';
import { StdioServerTransport } from '@modelcontextprotocol/server/stdio';
import { LineChunker } from './stdio-lines.js';

/** JSON-RPC "Invalid Request": the message never reached a tool, so it cannot be a tool error. */
const INVALID_REQUEST = -32600;

/**
 * The stdio transport the server runs on: the SDK's, fed whole lines (see LineChunker), with
 * messages over the SDK's size cap answered with an error instead of closing the session.
 */
export function stdioTransport(input: Readable = process.stdin, output: Writable = process.stdout): StdioServerTransport {
  const maxBytes = STDIO_DEFAULT_MAX_BUFFER_SIZE;
  const lines = new LineChunker(maxBytes, ({ bytes, id }) => {
    if (id === undefined) return;
    const message = `The message is ${(bytes / 2 ** 20).toFixed(1)} MiB; at most ${maxBytes / 2 ** 20} MiB is read. Pass large content as a file path instead.`;
    void transport.send({ jsonrpc: '2.0', id, error: { code: INVALID_REQUEST, message } }).catch(() => {});
  });
  input.pipe(lines);
  const transport = new StdioServerTransport(lines, output, { maxBufferSize: maxBytes });
  return transport;
}
