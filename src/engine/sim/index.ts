/** The LLM vendor simulator: an HTTP server speaking the OpenAI and Anthropic APIs, answering from a policy. */
export type { SimApi, SimContext, SimFault, SimMessageReply, SimPolicy, SimReply, SimRequest } from './policy.js';
export { startSimServer, SIM_HEADER, type SimServer, type SimServerOptions, type SimStats } from './server.js';
export { scriptedPolicy, type ScriptedPolicy, type ScriptedPolicyOptions, type ScriptStep } from './policies/scripted.js';
export { echoPolicy } from './policies/echo.js';
export { conversationPolicy, selectConversationStep, type ConversationPolicyOptions, type ConversationScript, type ConversationMatch } from './policies/conversation.js';
export {
  plantedPolicy,
  probeRegistryKey,
  probeRegistryPath,
  writeProbeRegistryEntry,
  probeRegistryObserver,
  PROBE_REGISTRY_PRELOAD,
  SIM_REGISTRY_ENV,
  solutionTurnReply,
  PLANTED_FALLBACK_TEXT,
  type PlantedLevel,
  type PlantedPolicy,
  type PlantedPolicyOptions,
  type PlantedTurn,
  type ProbeRegistryEntry,
} from './policies/planted.js';
export { jitOptimizePolicy, weakTasks, type JitOptimizeSimSpec } from './policies/jit-optimize.js';
export { withLatency, type LatencySpec } from './policies/latency.js';
export { withFaults, type FaultSpec } from './policies/faults.js';
export { createRng, type Rng } from '../util/rng.js';
export { loadPolicyFile, policyFromSpec } from './policy-file.js';
export { registerPolicyType, listPolicyTypes, getPolicyType, type PolicyType } from './policy-registry.js';
