#!/usr/bin/env node
import { serveStdio } from '@modelcontextprotocol/server/stdio';
import { rootFlagsFromArgv } from '../contract/root-flags.js';
import { describeError } from '../engine/util/errors.js';
import { catalogOf, type Registries } from './catalog.js';
import { createServer } from './create-server.js';
import { lazyEngine, serveUntilClosed } from './lifecycle.js';
import { manifestCatalog } from './manifest.js';
import { stdioTransport } from './stdio.js';

// Only what the handshake needs is loaded up front: the listing comes from the build-time
// manifest; the registries and the engine load on first use (or shortly after start).
const argv = process.argv.slice(2);
const engine = lazyEngine(async () => {
  const { createEngine } = await import('../engine/engine.js');
  const created = createEngine({ flags: rootFlagsFromArgv(argv) });
  created.log.debug(`skvm-mcp serving on stdio (cache ${created.roots.cache.value})`);
  // Runs left running by dead processes are marked interrupted.
  void created.runs.init().catch((err) => created.log.warn(`runs: ${describeError(err)}`));
  return created;
});
const registries = async (): Promise<Registries> => {
  const [{ operations }, { resourceFamilies }, { prompts }] = await Promise.all([
    import('../../tools/index.js'),
    import('../../resources/index.js'),
    import('../../prompts/index.js'),
  ]);
  return { operations, resources: resourceFamilies, prompts };
};
const catalog = manifestCatalog(registries) ?? catalogOf(await registries());

serveUntilClosed(
  engine,
  () =>
    serveStdio(() => createServer({ engine: engine.get, catalog }), {
      transport: stdioTransport(),
      onerror: (err) => void engine.get().then((e) => e.log.warn(`transport: ${describeError(err)}`), () => {}),
    }),
  () => Promise.all([engine.get(), catalog.load()]),
);
