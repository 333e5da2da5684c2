/** The agent runtime: RunResult contract, the generic loop, bare-agent and the adapter registry. */
export type { AdapterError, AgentStep, BeforeLlmContext, BeforeLlmDecision, RunResult, RunStatus, RuntimeHooks, ToolCallRecord } from './types.js';
export {
  BARE_AGENT_SYSTEM_PROMPT,
  injectSkillText,
  runBareAgent,
  skillDirName,
  type BareAgentOptions,
} from './bare-agent.js';
export { callSignature, DEFAULT_MAX_TOKENS, LOOP_REPEAT_LIMIT, runAgentLoop, type AgentLoopConfig, type LoopOutcome, type LoopStop } from './loop.js';
export {
  BARE_AGENT_TOOLS,
  COMMAND_OUTPUT_CAP_BYTES,
  createToolExecutor,
  DEFAULT_COMMAND_TIMEOUT_MS,
  EXECUTE_COMMAND_TOOL,
  LIST_DIRECTORY_TOOL,
  LOAD_SKILL_TOOL,
  READ_FILE_MAX_BYTES,
  READ_FILE_TOOL,
  WEB_FETCH_MAX_BYTES,
  WEB_FETCH_TIMEOUT_MS,
  WEB_FETCH_TOOL,
  WRITE_FILE_TOOL,
  type ToolContext,
  type ToolExecutor,
  type ToolHandler,
  type ToolOutcome,
} from './tools.js';
export { ConversationLog, type ConvEntry, type ConvRequestEntry, type ConvResponseEntry, type ConvToolResult } from './conv-log.js';
export {
  ADAPTERS,
  AdapterUnavailableError,
  assertSupportedAdapter,
  isKnownAdapter,
  isSupportedAdapter,
  SUPPORTED_ADAPTERS,
  unsupportedAdapterError,
  type AdapterName,
  type SupportedAdapter,
} from './registry.js';
