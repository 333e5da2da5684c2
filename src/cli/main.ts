#!/usr/bin/env node
import { runCli } from './cli.js';
import { processIo } from './io.js';

// The `skvm` bin. Everything heavy (operations, zod, the engine) is loaded on demand by runCli.
const code = await runCli(process.argv.slice(2), processIo());
process.exitCode = code;
// Exit once stdout and stderr are flushed, even if a client socket or timer lingers.
process.stdout.write('', () => process.stderr.write('', () => process.exit(code)));
