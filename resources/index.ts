import type { ResourceFamily } from '../src/contract/resource.js';
import { benchSessionResource } from './bench.js';
import { primitiveResource, primitivesCatalogResource } from './primitives.js';
import { proposalDiffResource, proposalResource, proposalRoundFileResource } from './proposals.js';
import { profileFailuresResource, profileResource, profileVersionsResource } from './profiles.js';
import { runLogResource, runRecordResource } from './runs.js';
import { skillResource } from './skills.js';
import { taskResource } from './tasks.js';
import { variantFileResource, variantResource } from './variants.js';

/** The single registry of resource families the MCP server serves. */
export const resourceFamilies: readonly ResourceFamily[] = [
  primitivesCatalogResource,
  primitiveResource,
  profileResource,
  profileVersionsResource,
  profileFailuresResource,
  runRecordResource,
  runLogResource,
  taskResource,
  skillResource,
  benchSessionResource,
  variantResource,
  variantFileResource,
  proposalResource,
  proposalDiffResource,
  proposalRoundFileResource,
];
