/** Public surface of the LLM layer. Everything else in this folder is an implementation detail. */
export * from './types.js';
export { LlmClient, DEFAULT_TIMEOUT_MS, DEFAULT_ROUTE_CONCURRENCY, type LlmClientOptions } from './client.js';
export {
  LlmError,
  ToolArgumentsParseError,
  isLlmError,
  isToolChoiceUnsupported,
  parseRetryAfter,
  toLlmError,
  type ErrorContext,
  type LlmErrorKind,
} from './errors.js';
export {
  DEFAULT_OPENROUTER_ROUTE,
  backendModel,
  globToRegExp,
  matchesGlob,
  resolveApiKey,
  resolveRoute,
  routeProviderName,
  validateModelIdForRoute,
} from './routes.js';
export { DEFAULT_RETRY, backoffDelay, withRetry, type RetryEvent, type RetryOptions, type WithRetryOptions } from './retry.js';
export { BUILTIN_PRICES, costFor, costFromPrice, priceFor, type CostResult, type CostSource } from './pricing.js';
export { extractStructured, parseJsonAnswer, stripFences, toJsonSchema, type StructuredRequest, type StructuredResult } from './structured.js';
