import { ConversationLog } from '../agent/conv-log.js';
import { addUsage, emptyUsage, type CallOptions, type ChatProvider, type ChatRequest, type TokenUsage } from '../llm/types.js';

/**
 * One pass's view of the compiler model: every call is logged (the pass's conversation log,
 * `<logs>/aot-compile/…/<passId>.jsonl`) and its tokens and cost are counted. The reference
 * counts tokens only and writes cost 0; we keep the vendor's or price table's figure, and say
 * when some call's price was unknown instead of pretending it was free.
 */
export class MeteredProvider implements ChatProvider {
  readonly log = new ConversationLog();
  private usage: TokenUsage = emptyUsage();
  private cost = 0;
  private unknownCost = false;
  private count = 0;
  readonly supportsToolChoice?: (model: string) => boolean;

  constructor(private readonly inner: ChatProvider) {
    if (inner.supportsToolChoice) this.supportsToolChoice = (m) => inner.supportsToolChoice!(m);
  }

  async chat(req: ChatRequest, opts?: CallOptions) {
    this.log.logRequest(req);
    const res = await this.inner.chat(req, opts);
    this.log.logResponse(res);
    this.count++;
    this.usage = addUsage(this.usage, res.usage);
    if (res.costUsd === null) this.unknownCost = true;
    else this.cost += res.costUsd;
    return res;
  }

  totals(): { tokens: TokenUsage; costUsd: number; costIncomplete: boolean; calls: number } {
    return { tokens: { ...this.usage }, costUsd: this.cost, costIncomplete: this.unknownCost, calls: this.count };
  }
}
