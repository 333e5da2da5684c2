import type { AnyOperation } from '../src/contract/operation.js';
import { adaptersListTool } from './adapters_list.js';
import { benchTool } from './bench.js';
import { benchCompareTool } from './bench_compare.js';
import { compileTool } from './compile.js';
import { compilePassesTool } from './compile_passes.js';
import { configDoctorTool } from './config_doctor.js';
import { configInitTool } from './config_init.js';
import { configShowTool } from './config_show.js';
import { primitivesListTool } from './primitives_list.js';
import { profileTool } from './profile.js';
import { profileCompareTool } from './profile_compare.js';
import { profileShowTool } from './profile_show.js';
import { profilesImportTool } from './profiles_import.js';
import { profilesListTool } from './profiles_list.js';
import { runCancelTool } from './run_cancel.js';
import { runTaskTool } from './run_task.js';
import { runStatusTool } from './run_status.js';
import { runsListTool } from './runs_list.js';
import { transcriptsListTool } from './transcripts_list.js';
import { variantsListTool } from './variants_list.js';
import { proposalAcceptTool } from './proposal_accept.js';
import { proposalDiffTool } from './proposal_diff.js';
import { proposalRejectTool } from './proposal_reject.js';
import { proposalRollbackTool } from './proposal_rollback.js';
import { proposalShowTool } from './proposal_show.js';
import { proposalsListTool } from './proposals_list.js';
import { cleanJitTool } from './clean_jit.js';

/**
 * The single registry of operations. The MCP server registers exactly these tools and the
 * CLI exposes exactly these commands, in this order.
 */
export const operations: readonly AnyOperation[] = [
  configShowTool,
  configDoctorTool,
  configInitTool,
  primitivesListTool,
  profilesListTool,
  profileTool,
  profileShowTool,
  profileCompareTool,
  profilesImportTool,
  adaptersListTool,
  runTaskTool,
  benchTool,
  benchCompareTool,
  compileTool,
  compilePassesTool,
  variantsListTool,
  runsListTool,
  runStatusTool,
  runCancelTool,
  transcriptsListTool,
  proposalsListTool,
  proposalShowTool,
  proposalDiffTool,
  proposalAcceptTool,
  proposalRejectTool,
  proposalRollbackTool,
  cleanJitTool,
];
