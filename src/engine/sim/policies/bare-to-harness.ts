import { posix } from 'node:path';
import { PATH_ARGUMENTS } from '../../agent/harness-tools.js';
import type { ToolSpec } from '../../llm/types.js';
import { shellQuote } from '../../util/shell.js';
import { findTool, propName, shellCall, type Call } from './offered-tools.js';

/**
 * Translates a tool call written for the bare agent's tools (read_file, write_file,
 * list_directory, execute_command, web_fetch) into the tools a real harness offered: its own
 * write and read tools when it has them, else its shell. A call whose tool is offered under
 * its own name is kept as is. Paths become absolute under the harness's working directory when
 * it is known (Claude Code's Read and Write refuse relative ones).
 */

export type Translation = { call: Call } | { untranslatable: string };

function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

function resolveIn(workDir: string | undefined, p: string): string {
  return workDir && !posix.isAbsolute(p) ? posix.join(workDir, p) : p;
}

/** `curl` for a web_fetch: method, headers and body kept; -sS so only the body (or the error) is printed. */
function curlCommand(args: Record<string, unknown>): string | undefined {
  const url = str(args.url);
  if (!url) return undefined;
  const words = ['curl', '-sS'];
  const method = str(args.method);
  if (method && method.toUpperCase() !== 'GET') words.push('-X', method.toUpperCase());
  const headers = typeof args.headers === 'object' && args.headers !== null ? Object.entries(args.headers as Record<string, unknown>) : [];
  for (const [k, v] of headers) if (typeof v === 'string') words.push('-H', `${k}: ${v}`);
  const body = str(args.body);
  if (body !== undefined) words.push('--data-binary', body);
  words.push(url);
  return words.map(shellQuote).join(' ');
}

/** A command for the shell that does what the bare tool call does, or undefined for a tool it cannot stand in for. */
function shellFor(name: string, args: Record<string, unknown>, workDir: string | undefined): string | undefined {
  const at = (p: string) => shellQuote(resolveIn(workDir, p));
  switch (name) {
    case 'execute_command':
      return str(args.command);
    case 'read_file': {
      const p = str(args.path);
      return p === undefined ? undefined : `cat -- ${at(p)}`;
    }
    case 'write_file': {
      const p = str(args.path);
      const content = str(args.content);
      if (p === undefined || content === undefined) return undefined;
      return `mkdir -p -- ${at(posix.dirname(p))} && printf '%s' ${shellQuote(content)} > ${at(p)}`;
    }
    case 'list_directory':
      return `ls -1Ap -- ${at(str(args.path) ?? '.')}`;
    case 'web_fetch':
      return curlCommand(args);
    default:
      return undefined;
  }
}

export function translateBareCall(c: Call, tools: readonly ToolSpec[], workDir: string | undefined): Translation {
  if (tools.some((t) => t.name === c.name)) return { call: c };
  const args = c.arguments;
  const p = str(args.path);
  const write = findTool(tools, 'write');
  if (c.name === 'write_file' && write && p !== undefined && typeof args.content === 'string') {
    return { call: { name: write.name, arguments: { [propName(write, PATH_ARGUMENTS)]: resolveIn(workDir, p), [propName(write, ['content', 'text'])]: args.content } } };
  }
  const read = findTool(tools, 'read');
  if (c.name === 'read_file' && read && p !== undefined) {
    return { call: { name: read.name, arguments: { [propName(read, PATH_ARGUMENTS)]: resolveIn(workDir, p) } } };
  }
  const shell = findTool(tools, 'shell');
  const command = shellFor(c.name, args, workDir);
  if (shell && command !== undefined) return { call: shellCall(shell, command) };
  const offered = tools.map((t) => t.name).join(', ') || 'none';
  return {
    untranslatable: shell
      ? `the bare-agent call ${c.name}(${JSON.stringify(args).slice(0, 200)}) has no equivalent among the offered tools (${offered})`
      : `the bare-agent call ${c.name} needs a shell tool and the request offers none (offered: ${offered})`,
  };
}
