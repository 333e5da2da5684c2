/**
 * The runtime: the one entry point for running an agent. `runTask` runs a task (its fixtures,
 * its graders); `runAgent` runs any other workload (the profiler's probes; the compiler's and
 * the JIT's runs) through the same adapter seam, work-dir handling and runStatus gate.
 */
export { stageWorkDir, readyAdapter, runAdapter, runAgent, type AgentJob, type AgentJobOutcome, type StagedWorkDir, type Workload } from './run-agent.js';
export { harnessHost, needsRoute, type HarnessHost } from './host.js';
export {
  runTask,
  workDirPrefixFor,
  DEFAULT_GRADER_TIMEOUT_MS,
  DEFAULT_SETUP_TIMEOUT_MS,
  type RunTaskOptions,
  type RunTaskResult,
  type RunTaskSandbox,
} from './task.js';
