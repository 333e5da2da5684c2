import type { CliCommand } from './command.js';
import { demoCommand } from './demo.js';
import { simServeCommand } from './sim-serve.js';

export type { CliCommand } from './command.js';

/**
 * The CLI-only commands. Operations are never listed here; their commands are generated from
 * tools/index.ts.
 */
export const cliCommands: CliCommand[] = [demoCommand, simServeCommand];
