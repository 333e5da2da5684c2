/** The profiler: probe contracts and toolkit, the runner, the calibrator, the adaptive scheduler and profiling sessions. */
export type {
  ProbeCheckContext,
  ProbeCheckpoint,
  ProbeGenerator,
  ProbeInstance,
  ProbeRequirement,
  ProbeServer,
  ProbeSolution,
  SolutionTurn,
} from './types.js';
export { BASE_URL_PLACEHOLDER } from './types.js';
export {
  approxEqual,
  call,
  cp,
  defineGenerator,
  graded,
  instanceSeed,
  lastNumber,
  lines,
  numbersIn,
  parseJsonLoose,
  passes,
  probeRng,
  solution,
  stripFences,
  type ProbeRng,
} from './toolkit.js';
export { checkContext, playSolution, runProbeCheck, startProbeServer, withBaseUrl, writeSetupFiles, CHECK_COMMAND_TIMEOUT_MS, type CheckOutcome, type ProbeSandbox } from './probe-exec.js';
export { hasRequirement, missingRequirement } from './requirements.js';
export {
  classifyError,
  classifyTimeout,
  instanceLogPaths,
  isCongested,
  observeProvider,
  runInstance,
  runProbe,
  DEFAULT_INFRA_BACKOFF_MS,
  DEFAULT_INFRA_RETRIES,
  DEFAULT_MAX_STEPS,
  DEFAULT_PROBE_TIMEOUT_MS,
  type CallRecord,
  type ErrorClass,
  type InstanceLogPaths,
  type InstanceResult,
  type ProbeAttempt,
  type ProbeStatus,
  type RunInstanceOptions,
  type RunProbeOptions,
} from './runner.js';
export {
  buildFailureReport,
  computeFileChanges,
  consoleHint,
  enrichedDetails,
  failureLogBlock,
  reportSteps,
  summarizeToolCalls,
  type FailureReportInput,
  type FileChanges,
  type ReportStep,
  type ToolCallSummary,
} from './diagnostics.js';
export { detectInversions, effectiveCount, highestPassingLevel, levelPasses, levelsToRerun, resolveInversion, type Inversion, type LevelOutcome, type LevelTally } from './calibrate.js';
export { AimdWindow, ProbeScheduler, type ConcurrencyEvent, type SchedulerOptions, type WindowStats } from './scheduler.js';
export { profileMany, profileModel } from './profile.js';
export { loadProbeGenerators, resolvePrimitives } from './select.js';
export {
  DEFAULT_HARNESS,
  DEFAULT_INSTANCES,
  DEFAULT_MAX_CONSECUTIVE_INFRA_SKIPS,
  type ProfileJob,
  type ProfileManyEntry,
  type ProfileManyResult,
  type ProfileModelOptions,
  type ProfileModelResult,
  type ProfileSessionOptions,
  type ProfileStats,
  type ProgressCallback,
} from './session-types.js';
