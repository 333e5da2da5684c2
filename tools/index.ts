import type { AnyOperation } from '../src/contract/operation.js';
import { configDoctor } from './config_doctor.js';
import { configInit } from './config_init.js';
import { configShow } from './config_show.js';
import { runCancel } from './run_cancel.js';
import { runStatus } from './run_status.js';
import { runsList } from './runs_list.js';

/**
 * The single registry of operations. The MCP server registers exactly these tools and the
 * CLI exposes exactly these commands, in this order.
 */
export const operations: readonly AnyOperation[] = [configShow, configDoctor, configInit, runsList, runStatus, runCancel];
