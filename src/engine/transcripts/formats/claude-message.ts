import type { TokenUsage } from '../../llm/types.js';
import type { TranscriptBuilder } from '../builder.js';
import { arr, isObj, num, str, textOf, type Obj } from '../json-shapes.js';
import { skillsAnnouncedInText } from '../skills.js';

/**
 * Anthropic-style messages as both Claude Code formats carry them (the session file and
 * `stream-json` share the `message` payload): assistant text and `tool_use` blocks, user text
 * and `tool_result` blocks. Claude Code writes one line per content block of a streamed
 * message, each repeating the message's usage, so usage is kept per message id.
 */
export class ClaudeMessages {
  private readonly toolNames = new Map<string, string>();
  private readonly usageById = new Map<string, TokenUsage>();

  constructor(private readonly b: TranscriptBuilder) {}

  assistant(message: Obj, at: { ts?: string; sidechain?: boolean }): void {
    if (str(message.model) && !at.sidechain) this.b.model ??= str(message.model);
    const content = message.content;
    if (typeof content === 'string') this.b.assistant(content, at);
    for (const block of arr(content)) {
      if (!isObj(block)) continue;
      if (block.type === 'text') this.b.assistant(str(block.text) ?? '', at);
      else if (block.type === 'tool_use') {
        const name = str(block.name) ?? 'unknown';
        const id = str(block.id);
        if (id) this.toolNames.set(id, name);
        this.b.toolCall(name, block.input ?? {}, { ...at, toolCallId: id });
      }
    }
    this.recordUsage(message);
  }

  user(message: Obj, at: { ts?: string; sidechain?: boolean }): void {
    const content = message.content;
    if (typeof content === 'string') return this.userText(content, at);
    const texts: string[] = [];
    for (const block of arr(content)) {
      if (!isObj(block)) continue;
      if (block.type === 'text') texts.push(str(block.text) ?? '');
      else if (block.type === 'tool_result') {
        const id = str(block.tool_use_id);
        const output = textOf(block.content);
        const exit = /^Exit code (\d+)/.exec(output);
        this.b.toolResult(output, {
          ...at,
          toolCallId: id,
          toolName: id ? this.toolNames.get(id) : undefined,
          isError: block.is_error === true,
          exitCode: exit ? Number(exit[1]) : undefined,
        });
      }
    }
    if (texts.length > 0) this.userText(texts.join('\n'), at);
  }

  /** Text Claude Code injected rather than the person typed (skill bodies, caveats): only scanned for skills. */
  meta(message: Obj): void {
    for (const s of skillsAnnouncedInText(textOf(message.content))) this.b.skill(s);
  }

  /** Sums the usage of every message seen (call once, at the end). */
  finishUsage(): void {
    for (const u of this.usageById.values()) this.b.addUsage(u);
  }

  private userText(text: string, at: { ts?: string; sidechain?: boolean }): void {
    for (const s of skillsAnnouncedInText(text)) this.b.skill(s);
    if (text.includes('<local-command-stdout>') || text.startsWith('Caveat: ')) return;
    this.b.user(renderSlashCommand(text), at);
  }

  private recordUsage(message: Obj): void {
    const u = isObj(message.usage) ? message.usage : undefined;
    if (!u) return;
    const usage: TokenUsage = {
      input: num(u.input_tokens) ?? 0,
      output: num(u.output_tokens) ?? 0,
      cacheRead: num(u.cache_read_input_tokens) ?? 0,
      cacheWrite: num(u.cache_creation_input_tokens) ?? 0,
    };
    const id = str(message.id) ?? `#${this.usageById.size}`;
    const prev = this.usageById.get(id);
    // Later lines of one message may carry grown output counts; keep the largest of each.
    this.usageById.set(id, prev ? maxUsage(prev, usage) : usage);
  }
}

function maxUsage(a: TokenUsage, b: TokenUsage): TokenUsage {
  return { input: Math.max(a.input, b.input), output: Math.max(a.output, b.output), cacheRead: Math.max(a.cacheRead, b.cacheRead), cacheWrite: Math.max(a.cacheWrite, b.cacheWrite) };
}

/** `<command-name>/x</command-name>…<command-args>y</command-args>` as typed: `/x y`. */
function renderSlashCommand(text: string): string {
  const name = /<command-name>([^<]*)<\/command-name>/.exec(text)?.[1];
  if (name === undefined) return text;
  const args = /<command-args>([\s\S]*?)<\/command-args>/.exec(text)?.[1] ?? '';
  return `${name.trim()} ${args.trim()}`.trim();
}
