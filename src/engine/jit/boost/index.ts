/** jit-boost (spec runtime §6): candidates from past runs, and the solidifier that runs them in place of the model. */
export * from './schema.js';
export * from './storage.js';
export { readCodeSnippets, selectSnippets, type CodeSnippet } from './snippets.js';
export { generateCandidatesFromConvLogs, GENERATE_CANDIDATES_SCHEMA_NAME } from './from-logs.js';
export { generateTemplates, generateCandidatesFromSkill, DEFAULT_GENERATION_TIMEOUT_MS, type GeneratorAgentOptions } from './agent-generate.js';
export { extractParamsByPattern, materialize, missingParams, type ParamValues } from './params.js';
export { executeMaterialized, PYTHON_SCRIPT_FILE } from './execute.js';
export {
  Solidifier,
  createBoostHooks,
  paramExtractionFailures,
  DEFAULT_PROMOTION_THRESHOLD,
  DEFAULT_DEMOTION_THRESHOLD,
  DEFAULT_MONITORED_TOOLS,
  type BoostHooks,
  type BoostHooksOptions,
  type SolidifierEntry,
  type SolidifierOptions,
} from './solidifier.js';
