/** Bench: conditions, orchestrator, reports, session listing and comparison. */
export * from './types.js';
export { averageConditionResults, averageEvalDetails, aggregateRuns } from './aggregate.js';
export {
  combineSkills,
  conditionNames,
  crashedResult,
  evalDetailsOf,
  getCondition,
  isFatalBenchError,
  isVendorOutage,
  listConditions,
  registerCondition,
  runCondition,
  scoreFromDetails,
  skillMeta,
  SKILL_JOINER,
  toConditionResult,
  type ConditionDefinition,
  type ConditionInput,
  type ConditionOutcome,
  type ConditionPlan,
  type RunConditionOptions,
} from './conditions.js';
export { JIT_BOOST_CONDITION, DEFAULT_JIT_RUNS, type JitBoostOptions } from './jit-boost.js';
export { mergeDeferredResults } from './deferred-judge.js';
export {
  runBench,
  BenchCancelledError,
  type BenchOutcome,
  type BenchProgressCallback,
  type ModelSessionOutcome,
  type RunBenchOptions,
  type SkippedCell,
} from './orchestrator.js';
export {
  buildModelComparison,
  cell as markdownCell,
  computeDeltas,
  computeSummary,
  formatCost,
  formatDuration,
  formatTokens,
  generateReport,
  parentReportKey,
  renderMultiModelMarkdown,
  renderReportMarkdown,
  summarizeCondition,
  type GenerateReportInput,
} from './reporter.js';
export {
  aggregateDeltas,
  compareReports,
  compareSessions,
  renderComparisonMarkdown,
  type AggregateDelta,
  type Pair,
  type SessionComparison,
  type SessionSide,
  type TaskDelta,
} from './compare.js';
export {
  latestIncompleteSession,
  listBenchSessions,
  loadBenchSession,
  resolveSessionDir,
  type BenchSessionInfo,
  type LoadedBenchSession,
} from './sessions.js';
export {
  assertSessionId,
  benchRoot,
  claimSessionDir,
  conditionTag,
  generateSessionId,
  isSessionId,
  pairTag,
  parentTag,
  sanitizeTag,
  sessionDir,
  shortModel,
  SESSION_ID_PATTERN,
} from './session-id.js';
export { buildTaskReports, cellKey, groupEntries, progressPath, readProgress, writeProgress, withRunIndexes, type TaskInfo } from './progress.js';
