#!/usr/bin/env node
import { serveStdio } from '@modelcontextprotocol/server/stdio';
import { createEngine } from '../engine/engine.js';
import { describeError } from '../engine/util/errors.js';
import { operations } from '../../tools/index.js';
import { resourceFamilies } from '../../resources/index.js';
import { createServer } from './create-server.js';
import { serveUntilClosed } from './lifecycle.js';
import { stdioTransport } from './stdio.js';

const engine = createEngine({ argv: process.argv.slice(2) });
serveUntilClosed(engine, () =>
  serveStdio(() => createServer({ engine, operations, resources: resourceFamilies }), {
    transport: stdioTransport(),
    onerror: (err) => engine.log.warn(`transport: ${describeError(err)}`),
  }),
);
