/**
 * Benchmark fixture for bench:server, never shipped: the smallest server the MCP SDK can serve
 * (one tool), so the start-up figure of skvm-mcp can be read against what the SDK and zod cost.
 */
import { McpServer } from '@modelcontextprotocol/server';
import { serveStdio } from '@modelcontextprotocol/server/stdio';
import { z } from 'zod';

serveStdio(() => {
  const server = new McpServer({ name: 'floor', version: '0.0.0' });
  server.registerTool('noop', { inputSchema: z.object({}) }, async () => ({ content: [] }));
  return server;
});
