import { withChat, type CallOptions, type ChatMessage, type ChatProvider, type ChatRequest, type ChatResponse, type TokenUsage, type ToolCall } from '../llm/types.js';
import { writeFileAtomic } from '../util/fs.js';
import { redactValue } from '../util/redact.js';

/**
 * The reference's conversation log (spec runtime §2.5 / §5.6): one JSON object per line, a
 * `request` entry before each LLM call and a `response` entry after it.
 *
 * Our history is native multi-turn, so for a call that answers tool calls
 * (`completeWithToolResults`) `messages` holds the history up to the assistant turn that made
 * the calls and `toolResults` holds the trailing tool results — together they are exactly the
 * request sent, with nothing repeated. Every entry passes `redactValue`, so no registered API
 * key can reach the file.
 */

export interface ConvToolResult {
  toolCallId: string;
  content: string;
  isError?: boolean;
}

export interface ConvRequestEntry {
  type: 'request';
  ts: string;
  method: 'complete' | 'completeWithToolResults';
  system: string | undefined;
  messages: ChatMessage[];
  tools: Array<{ name: string; description: string }> | undefined;
  maxTokens: number | undefined;
  temperature: number | undefined;
  toolResults?: ConvToolResult[];
}

export interface ConvResponseEntry {
  type: 'response';
  ts: string;
  text: string;
  toolCalls: ToolCall[];
  tokens: TokenUsage;
  /** Per-call USD when known (the reference writes it when the provider reported one). */
  costUsd?: number;
  durationMs: number;
  stopReason: ChatResponse['stopReason'];
}

export type ConvEntry = ConvRequestEntry | ConvResponseEntry;

export class ConversationLog {
  private readonly entries: ConvEntry[] = [];

  get size(): number {
    return this.entries.length;
  }

  /** Every entry, scrubbed of the keys registered so far. */
  all(): ConvEntry[] {
    return this.entries.map((e) => redactValue(e));
  }

  logRequest(req: ChatRequest): void {
    let split = req.messages.length;
    while (split > 0 && req.messages[split - 1]!.role === 'tool') split--;
    const trailing = req.messages.slice(split);
    const entry: ConvRequestEntry = {
      type: 'request',
      ts: new Date().toISOString(),
      method: trailing.length > 0 ? 'completeWithToolResults' : 'complete',
      system: req.system,
      messages: req.messages.slice(0, split),
      tools: req.tools?.map((t) => ({ name: t.name, description: t.description })),
      maxTokens: req.maxTokens,
      temperature: req.temperature,
    };
    if (trailing.length > 0) {
      entry.toolResults = trailing.map((m) => {
        const t = m as Extract<ChatMessage, { role: 'tool' }>;
        return t.isError ? { toolCallId: t.toolCallId, content: t.content, isError: true } : { toolCallId: t.toolCallId, content: t.content };
      });
    }
    this.entries.push(redactValue(entry));
  }

  logResponse(res: ChatResponse): void {
    const entry: ConvResponseEntry = {
      type: 'response',
      ts: new Date().toISOString(),
      text: res.text,
      toolCalls: res.toolCalls.map((c) => ({ id: c.id, name: c.name, arguments: c.arguments })),
      tokens: { ...res.usage },
      durationMs: res.durationMs,
      stopReason: res.stopReason,
    };
    if (res.costUsd !== null) entry.costUsd = res.costUsd;
    this.entries.push(redactValue(entry));
  }

  /** A provider that logs every call made through it (the reference's LoggingProvider). */
  wrap(provider: ChatProvider): ChatProvider {
    return withChat(provider, async (req: ChatRequest, opts?: CallOptions) => {
      this.logRequest(req);
      const res = await provider.chat(req, opts);
      this.logResponse(res);
      return res;
    });
  }

  /** Scrubbed again at write time: a route's key is registered only when its first call resolves it. */
  toJsonl(): string {
    return this.all().map((e) => JSON.stringify(e)).join('\n') + '\n';
  }

  /**
   * Write the whole log atomically (parent folders created). Like the reference, an empty log
   * writes no file. Safe to call more than once; each call replaces the file.
   */
  async writeTo(file: string): Promise<boolean> {
    if (this.entries.length === 0) return false;
    // A log: replaced atomically for readers, but not worth an fsync on every agent run.
    await writeFileAtomic(file, this.toJsonl(), undefined, { sync: false });
    return true;
  }
}
