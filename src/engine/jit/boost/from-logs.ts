import { z } from 'zod';
import { LlmError } from '../../llm/errors.js';
import { extractStructured } from '../../llm/structured.js';
import type { ChatProvider } from '../../llm/types.js';
import { CancelledError } from '../../util/errors.js';
import type { Logger } from '../../util/log.js';
import { usableCandidates, type BoostCandidate } from './schema.js';
import { readCodeSnippets, selectSnippets, type CodeSnippet } from './snippets.js';

/**
 * Phase 1 of candidate generation (spec runtime §6.2): the code an agent ran or wrote in earlier
 * runs (our conversation logs) is shown to a model in ONE structured call, which names the
 * recurring operations as candidates — loose signatures, keywords, params with extract patterns,
 * and an empty template for Phase 2 to fill. Candidates whose regexes do not compile are dropped.
 *
 * No snippets ⇒ no call, `[]`. Provider errors (LlmError) and cancellation propagate; an answer
 * that cannot be turned into candidates yields `[]` (the caller falls back to the skill's text).
 */

export const GENERATE_CANDIDATES_SCHEMA_NAME = 'generate_boost_candidates';

const GeneratedCandidatesSchema = z.object({
  candidates: z.array(
    z.object({
      purposeId: z.string().regex(/^[a-z0-9]+(-[a-z0-9]+)*$/, 'kebab-case'),
      keywords: z.array(z.string().min(1)).min(1),
      codeSignature: z.string().min(1),
      functionTemplate: z.string(),
      params: z.record(z.string(), z.object({ type: z.enum(['string', 'number']), description: z.string(), extractPattern: z.string().optional() })),
      materializationType: z.literal('shell'),
      monitoredTools: z.array(z.string()).optional(),
    }),
  ),
});

export interface GenerateFromLogsOptions {
  llm: ChatProvider;
  model: string;
  signal?: AbortSignal;
  log?: Logger;
}

export async function generateCandidatesFromConvLogs(convLogPaths: readonly string[], opts: GenerateFromLogsOptions): Promise<BoostCandidate[]> {
  const all: CodeSnippet[] = [];
  for (const p of convLogPaths) all.push(...(await readCodeSnippets(p)));
  const snippets = selectSnippets(all);
  if (snippets.length === 0) return [];
  try {
    const { value } = await extractStructured(
      opts.llm,
      {
        model: opts.model,
        schema: GeneratedCandidatesSchema,
        name: GENERATE_CANDIDATES_SCHEMA_NAME,
        description: 'Recurring operations in the code below that could be solidified into reusable shell templates.',
        prompt: candidatesPrompt(snippets),
        maxTokens: 8192,
      },
      opts.signal ? { signal: opts.signal } : {},
    );
    return usableCandidates(value.candidates.map((c) => ({ ...c, functionTemplate: '' })));
  } catch (err) {
    if (err instanceof LlmError || err instanceof CancelledError || opts.signal?.aborted) throw err;
    opts.log?.warn(`jit-boost: no candidates from the conversation logs: ${(err as Error).message}`);
    return [];
  }
}

function candidatesPrompt(snippets: readonly CodeSnippet[]): string {
  const blocks = snippets.map((s, k) => `### Snippet ${k + 1} (${s.tool}, turn ${s.turnIndex})\n\`\`\`\n${s.code}\n\`\`\``);
  return [
    'An agent solved tasks with a skill and ran the code below. Find the operations it is likely to repeat on',
    'similar tasks, so they can later run directly instead of being re-derived by the model every time.',
    '',
    'For each operation give:',
    '- purposeId: a short kebab-case name for what it achieves;',
    '- keywords: words a task prompt asking for this operation would contain;',
    '- codeSignature: a loose regular expression recognising this kind of code — the key commands or API',
    '  calls in order, joined by non-greedy gaps such as [\\s\\S]*? — not the literal snippet;',
    '- functionTemplate: leave it empty ("");',
    '- params: the values that change from task to task, each with a type, a description, and an',
    '  extractPattern (a regex with exactly one capture group that finds the value in a task prompt);',
    '- materializationType: "shell";',
    '- monitoredTools: the tool names whose calls carry such code (execute_command, write_file).',
    'Return an empty list when nothing is worth reusing.',
    '',
    ...blocks,
  ].join('\n');
}
