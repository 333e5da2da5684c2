#!/usr/bin/env node
import { serveStdio } from '@modelcontextprotocol/server/stdio';
import { rootFlagsFromArgv } from '../contract/root-flags.js';
import { createEngine } from '../engine/engine.js';
import { describeError } from '../engine/util/errors.js';
import { operations } from '../../tools/index.js';
import { resourceFamilies } from '../../resources/index.js';
import { createServer } from './create-server.js';
import { serveUntilClosed } from './lifecycle.js';

const engine = createEngine({ flags: rootFlagsFromArgv(process.argv.slice(2)) });
serveUntilClosed(engine, () =>
  serveStdio(() => createServer({ engine, operations, resources: resourceFamilies }), {
    onerror: (err) => engine.log.warn(`transport: ${describeError(err)}`),
  }),
);
