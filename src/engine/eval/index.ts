/** Public surface of evaluation: criteria graders, custom evaluators, scoring, deferred judging. */
export type { Checkpoint, CustomEvaluator, EvalContext, EvalResult, EvalSpace, JudgeInputs } from './types.js';
export { evaluateAll, evaluateCriterion, DEFERRED_PLACEHOLDER } from './evaluate.js';
export {
  BUILTIN_CUSTOM_EVALUATORS,
  getCustomEvaluator,
  hydrateEvalPayloads,
  listCustomEvaluators,
  registerCustomEvaluator,
  unregisterCustomEvaluator,
} from './registry.js';
export { evaluateScript, readScriptReport, rewritePythonDashC, type EvaluatorOutcome } from './script.js';
export { evaluateFileCheck, FILE_CHECK_MAX_BYTES } from './file-check.js';
export { firstGlobMatch, globToRegExp, matchGlob, GlobPatternError } from './glob.js';
export { compileSchema, formatAjvErrors, schemaDialect, validateJson, SchemaCompileError, type SchemaCheck } from './json-schema.js';
export {
  collectJudgeInputs,
  collectWorkDirFiles,
  formatTrace,
  listJudgeFiles,
  renderRubric,
  FILE_CHARS,
  FILES_TOTAL_CHARS,
  JUDGE_BINARY_EXTENSIONS,
  JUDGE_SKIP_NAMES,
  JUDGE_SKIP_TOP_DIRS,
} from './judge-inputs.js';
export { buildJudgePrompt, evaluateLlmJudge, judgeWithLlm, JudgeScoreSchema, JUDGE_TOOL_NAME, type JudgeVerdict } from './llm-judge.js';
export { buildGradeTranscript, pythonGradeEvaluator, readGradeReport, GRADE_RUNNER_PY, PYTHON_GRADE_ID, type GradeTranscriptEntry } from './python-grade.js';
export {
  compileAlternatives,
  junitGradeEvaluator,
  parseJunitPayload,
  planRunner,
  resolveVitest,
  scoreCriteria,
  scoreJunitRun,
  splitAlternatives,
  JUNIT_DEFAULT_TIMEOUT_MS,
  JUNIT_GRADE_ID,
  type JunitCriterion,
  type JunitPayload,
  type JunitRunner,
} from './junit-grade.js';
export { decodeXmlEntities, parseJunitXml, type JunitTestCase } from './junit-xml.js';
export {
  buildEvidenceCriteria,
  computeWeightedScore,
  evidenceRunScore,
  evidenceScore,
  taskScore,
  toScoreDetails,
  LEAF_PASS_SCORE,
  type EvidenceCriterion,
  type EvidenceScore,
  type GradingWeights,
  type ScoreDetail,
  type TaskScore,
  type WeightedScore,
} from './scoring.js';
export {
  appendManifestEntry,
  buildManifestEntry,
  deferredEntryId,
  readDeferredResults,
  readManifest,
  runDeferredJudge,
  MANIFEST_FILE,
  RESULTS_FILE,
  type DeferredContext,
  type DeferredJudgeProgress,
  type DeferredJudgeSummary,
  type DeferredResultRow,
  type ManifestEntry,
  type RunDeferredJudgeOptions,
} from './deferred.js';
export { createEvalSpace, disposeEvalSpace, withEvalSpace } from './space.js';
