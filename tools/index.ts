import type { AnyOperation } from '../src/contract/operation.js';

/**
 * The single registry of operations. The MCP server registers exactly these tools and the
 * CLI exposes exactly these commands, in this order.
 */
export const operations: readonly AnyOperation[] = [];
