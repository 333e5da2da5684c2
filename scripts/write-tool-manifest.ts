/**
 * Build step (npm run build): writes the server's tool, resource and prompt listing as JSON beside
 * src/server/manifest.ts, so the server starts without loading the registries (see there).
 */
import { prompts } from '../prompts/index.js';
import { resourceFamilies } from '../resources/index.js';
import { listRegistries } from '../src/server/catalog.js';
import { writeManifest } from '../src/server/manifest.js';
import { operations } from '../tools/index.js';

writeManifest(listRegistries({ operations, resources: resourceFamilies, prompts }));
