import { z } from 'zod';
import type { FailureReportsFile, TCP } from '../profiles/schema.js';
import type { ChatProvider, TokenUsage } from '../llm/types.js';
import type { Logger } from '../util/log.js';
import type { SandboxMode } from '../sandbox/types.js';

/**
 * The compiler's shared vocabulary (reference spec §3.2, §3.3, §4.1, §4.2): the artifacts passes
 * exchange, the pass contract, and the per-pass record written to `_artifacts/_meta/`.
 * Field names and shapes are the reference's; they are read back from variants on disk.
 */

const RequiredLevel = z.enum(['L1', 'L2', 'L3']);

export const ScrPrimitiveSchema = z.object({
  id: z.string().min(1),
  minLevel: RequiredLevel,
  evidence: z.string(),
});
export const ScrPathSchema = z.object({
  primitives: z.array(ScrPrimitiveSchema),
  note: z.string().optional(),
});
export const ScrPurposeSchema = z.object({
  id: z.string().min(1),
  description: z.string(),
  currentPath: ScrPathSchema,
  alternativePaths: z.array(ScrPathSchema).default([]),
});
/** Skill Capability Requirements: what each purpose of a skill asks of the model. */
export const ScrSchema = z.object({
  skillName: z.string(),
  purposes: z.array(ScrPurposeSchema).min(1),
});
export type SCR = z.output<typeof ScrSchema>;
export type ScrPurpose = z.output<typeof ScrPurposeSchema>;
export type ScrPath = z.output<typeof ScrPathSchema>;

export const CapabilityGapSchema = z.object({
  purposeId: z.string(),
  primitiveId: z.string(),
  requiredLevel: RequiredLevel,
  modelLevel: z.enum(['L0', 'L1', 'L2', 'L3']),
  gapType: z.enum(['missing', 'weak']),
});
export type CapabilityGap = z.output<typeof CapabilityGapSchema>;

export const DependencyEntrySchema = z.object({
  name: z.string(),
  type: z.enum(['pip', 'npm', 'system', 'service']),
  checkCommand: z.string(),
  installCommand: z.string().optional(),
  required: z.boolean().default(true),
  source: z.enum(['python-import', 'shell-command', 'comment', 'inferred', 'model']).default('model'),
  confidence: z.number().min(0).max(1).default(0.7),
  pythonModules: z.array(z.string()).optional(),
});
export type DependencyEntry = z.output<typeof DependencyEntrySchema>;

export const EnvSimulationSchema = z.object({
  attemptCount: z.number().int().min(0),
  success: z.boolean(),
  failureReason: z.string().optional(),
  finalScriptValidated: z.boolean(),
});
export type EnvSimulation = z.output<typeof EnvSimulationSchema>;

export const WorkflowStepSchema = z.object({
  id: z.string(),
  description: z.string(),
  primitives: z.array(z.string()),
  dependsOn: z.array(z.string()).default([]),
});
export const ParallelismAnnotationSchema = z.object({
  type: z.enum(['dlp', 'ilp', 'tlp']),
  steps: z.array(z.string()),
  mechanism: z.string(),
  fallback: z.string(),
});
export const WorkflowDagSchema = z.object({
  steps: z.array(WorkflowStepSchema),
  parallelism: z.array(ParallelismAnnotationSchema),
});
export type WorkflowStep = z.output<typeof WorkflowStepSchema>;
export type ParallelismAnnotation = z.output<typeof ParallelismAnnotationSchema>;
export type WorkflowDAG = z.output<typeof WorkflowDagSchema>;

/** Artifacts passes produce and consume; each lives in `_artifacts/<key>.json`. */
export interface ArtifactBag {
  scr: SCR;
  gaps: CapabilityGap[];
  deps: DependencyEntry[];
  /** Stored as a JSON string, as the reference does. */
  envScript: string;
  envSimulation: EnvSimulation;
  dag: WorkflowDAG;
}
export type ArtifactKey = keyof ArtifactBag;
export const ARTIFACT_KEYS: readonly ArtifactKey[] = ['scr', 'gaps', 'deps', 'envScript', 'envSimulation', 'dag'];

/** Validators for artifacts read back from disk (a variant is untrusted input). */
export const ARTIFACT_SCHEMAS: { [K in ArtifactKey]: z.ZodType<ArtifactBag[K]> } = {
  scr: ScrSchema,
  gaps: z.array(CapabilityGapSchema),
  deps: z.array(DependencyEntrySchema),
  envScript: z.string(),
  envSimulation: EnvSimulationSchema,
  dag: WorkflowDagSchema,
};

/** The only sanctioned SKILL.md mutations: replace it, or append to it. */
export type SkillPatch = { kind: 'rewrite'; content: string } | { kind: 'append'; content: string };

/** What one pass reports beyond its artifacts, for the compile result. */
export interface PassReport {
  /** One line a person reads in the result, e.g. "3 gaps; 2 edits" or "no parallelism". */
  summary: string;
  /** Pass-specific facts the result shows (kept small: counts, verdicts, short lists). */
  facts?: Record<string, unknown>;
  /** Set when the pass finished but its outcome is not usable (e.g. env simulation failed). */
  warning?: string;
  /** The pass's own account of what it changed and why, a few short lines (pass 1: the rewrite agent's reply). */
  explanation?: string[];
}

export interface PassOutput {
  artifacts: Partial<ArtifactBag>;
  skillPatch?: SkillPatch;
  iterations?: number;
  report: PassReport;
}

/** Everything a pass may use. A pass writes only inside `workDir`. */
export interface PassContext {
  /** Skill name (directory name of the skill). */
  skillName: string;
  /** The staging copy of the variant: the skill bundle plus what earlier passes wrote. */
  workDir: string;
  /** Current SKILL.md text (after earlier passes' patches). */
  skillContent: string;
  /** SKILL.md as the user wrote it (the guard compares against this). */
  originalSkill: string;
  /** Target capability profile; present whenever one was found or given. */
  tcp?: TCP;
  /** The profile's failure-reports.json, when present (evidence for pass 1). */
  failureReports?: FailureReportsFile;
  /**
   * This profile's log folder (`<logs>/profile/<harness>/<safeModel>`). Failure artifacts the TCP
   * names are read only from inside it: paths elsewhere (another machine's) are never followed.
   */
  profileLogDir?: string;
  /** Target model and harness the variant is compiled for. */
  model: string;
  harness: string;
  /** Model that does the compiling, and the metered client to reach it. */
  compilerModel: string;
  llm: ChatProvider;
  /** Artifacts produced so far (read only). */
  artifacts: Readonly<Partial<ArtifactBag>>;
  /** Deadline for the pass's agent loop or command (ms). */
  timeoutMs: number;
  signal: AbortSignal;
  /** A short progress line ("extracting requirements", "attempt 2/3"). */
  progress(message: string): void;
  log: Logger;
  /** Where temporary directories go (the configured tmp root). */
  tmpRoot: string;
  /** Sandbox mode for commands the pass runs (bind-env's simulation). */
  sandboxMode?: SandboxMode;
  /** bind-env may run its script on the host only when the user said so. */
  allowHostInstall: boolean;
}

export interface CompilerPass {
  /** Stable kebab-case id (used in `passes` and log file names). */
  id: string;
  /** Positive integer, append-only, never reused (used in `passes` and the pass tag). */
  number: number;
  description: string;
  consumes: readonly ArtifactKey[];
  produces: readonly ArtifactKey[];
  requiresTcp: boolean;
  /** What the pass may do to SKILL.md. */
  patch: 'rewrite' | 'append' | 'none';
  run(ctx: PassContext): Promise<PassOutput>;
}

/** `_artifacts/_meta/<passId>.json` (reference shape, plus cost). */
export interface PassRunMeta {
  passId: string;
  status: 'ok' | 'failed';
  tokens: TokenUsage;
  /** USD for this pass's calls; 0 with costIncomplete when some call's price was unknown. */
  costUsd: number;
  costIncomplete?: boolean;
  durationMs: number;
  iterations?: number;
  error?: string;
}
