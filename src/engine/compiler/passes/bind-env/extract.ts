import { extractStructured } from '../../../llm/structured.js';
import type { ChatProvider } from '../../../llm/types.js';
import { bundleContext, readBundle } from './bundle.js';
import { resolveDependencies, ModelDependenciesSchema, type ResolvedDependencies } from './deps.js';
import { scanPythonImports, type ImportHint } from './import-scan.js';
import type { InstallPolicy } from './install-policy.js';
import { EXTRACT_SYSTEM, extractPrompt } from './prompts.js';

/** Dependency extraction (spec §4.8.1): static import scan, one structured call, post-processing. */

export interface ExtractInput {
  workDir: string;
  skillContent: string;
  llm: ChatProvider;
  model: string;
  policy: InstallPolicy;
  signal: AbortSignal;
}

export interface Extracted extends ResolvedDependencies {
  hints: ImportHint[];
  /** Files left out of what the model saw, and why. */
  notes: string[];
}

export async function extractDependencies(i: ExtractInput): Promise<Extracted> {
  const bundle = await readBundle(i.workDir);
  const hints = scanPythonImports([{ rel: 'SKILL.md', content: i.skillContent }, ...bundle.files]);
  const context = bundleContext(i.skillContent, bundle);
  const { value } = await extractStructured(
    i.llm,
    {
      model: i.model,
      schema: ModelDependenciesSchema,
      name: 'report_dependencies',
      description: 'Report every runtime dependency the skill needs installed',
      system: EXTRACT_SYSTEM,
      prompt: extractPrompt(hints, context.text, context.leftOut),
    },
    { signal: i.signal },
  );
  const resolved = resolveDependencies(value.dependencies, hints, i.policy);
  const notes = [...bundle.notes, ...context.leftOut.map((f) => `left out of the model's context: ${f} (size budget)`)];
  return { ...resolved, hints, notes };
}
