import { HARNESS_TOOL_NAMES, type HarnessToolKind } from '../../agent/harness-tools.js';
import type { ToolSpec } from '../../llm/types.js';
import type { SimMessageReply, SimRequest } from '../policy.js';

/**
 * How a simulated model uses the tools a real harness offered in a request: find the one for a
 * job (shell, write, read), fill its arguments under the names its schema declares, and find
 * the harness's working directory for tools that demand absolute paths.
 */

export type Call = NonNullable<SimMessageReply['toolCalls']>[number];

/** The first offered tool whose name (any case) does `kind`'s job, in HARNESS_TOOL_NAMES order. */
export function findTool(tools: readonly ToolSpec[], kind: HarnessToolKind | readonly string[]): ToolSpec | undefined {
  const names = typeof kind === 'string' ? HARNESS_TOOL_NAMES[kind] : kind;
  for (const name of names) {
    const tool = tools.find((t) => t.name.toLowerCase() === name);
    if (tool) return tool;
  }
  return undefined;
}

function schemaProps(tool: ToolSpec): Record<string, { type?: unknown }> {
  const props = (tool.inputSchema as { properties?: unknown }).properties;
  return typeof props === 'object' && props !== null ? (props as Record<string, { type?: unknown }>) : {};
}

/** The first of `candidates` the tool's schema declares, else the first candidate. */
export function propName(tool: ToolSpec, candidates: readonly string[]): string {
  const props = schemaProps(tool);
  return candidates.find((c) => c in props) ?? candidates[0]!;
}

/** Bash-style tools take a string; Codex's `shell` takes an argv array. */
export function shellCall(tool: ToolSpec, command: string): Call {
  const key = propName(tool, ['command', 'cmd']);
  const value = schemaProps(tool)[key]?.type === 'array' ? ['bash', '-lc', command] : command;
  return { name: tool.name, arguments: { [key]: value } };
}

/** The system prompt and every message of a request, as one text. */
export function requestText(req: Pick<SimRequest, 'system' | 'messages'>): string {
  return [req.system ?? '', ...req.messages.map((m) => m.content)].join('\n');
}

/**
 * The working directory the harness told the model about: Claude Code's "Primary working
 * directory: /abs", opencode's and pi's "working directory: /abs", Codex's `<cwd>/abs</cwd>`.
 */
export function requestWorkDir(req: Pick<SimRequest, 'system' | 'messages'>): string | undefined {
  const text = requestText(req);
  return /<cwd>(\/[^<\n]*)<\/cwd>/.exec(text)?.[1] ?? /working directory:\s*(\/[^\s<]*)/i.exec(text)?.[1];
}
