import { readJsonLines } from '../../util/jsonl.js';

/**
 * Code the agent wrote, read back from our conversation logs (spec runtime §5.6 item 1): only
 * `type: "response"` entries count, and per tool call the `command` of execute_command and the
 * `content` of write_file (non-empty). Malformed lines are skipped.
 */

export interface CodeSnippet {
  tool: 'execute_command' | 'write_file';
  code: string;
  /** Index of the response entry among the log's entries. */
  turnIndex: number;
}

export async function readCodeSnippets(convLogPath: string): Promise<CodeSnippet[]> {
  const entries = await readJsonLines(convLogPath);
  const out: CodeSnippet[] = [];
  entries.forEach((entry, turnIndex) => {
    if (!isRecord(entry) || entry.type !== 'response' || !Array.isArray(entry.toolCalls)) return;
    for (const call of entry.toolCalls) {
      if (!isRecord(call) || !isRecord(call.arguments)) continue;
      const field = call.name === 'execute_command' ? 'command' : call.name === 'write_file' ? 'content' : undefined;
      const code = field ? call.arguments[field] : undefined;
      if (typeof code === 'string' && code.trim() !== '') out.push({ tool: call.name as CodeSnippet['tool'], code, turnIndex });
    }
  });
  return out;
}

export const MIN_SNIPPET_CHARS = 20;
export const MAX_SNIPPETS = 10;
export const SNIPPET_PROMPT_CHARS = 2000;

/** The snippets worth showing the generator (spec §6.2): ≥ 20 chars, longest first, at most 10, each cut to 2000 chars. */
export function selectSnippets(snippets: readonly CodeSnippet[]): CodeSnippet[] {
  return snippets
    .filter((s) => s.code.length >= MIN_SNIPPET_CHARS)
    .sort((a, b) => b.code.length - a.code.length)
    .slice(0, MAX_SNIPPETS)
    .map((s) => (s.code.length > SNIPPET_PROMPT_CHARS ? { ...s, code: s.code.slice(0, SNIPPET_PROMPT_CHARS) } : s));
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
