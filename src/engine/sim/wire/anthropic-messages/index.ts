import type { WireFrontEnd } from '../types.js';
import { parseAnthropicMessagesRequest } from './parse.js';
import { anthropicErrorBody, anthropicStreamFrames, renderAnthropicMessage } from './render.js';

/** `POST /v1/messages`. */
export const anthropicMessagesFrontEnd: WireFrontEnd = {
  api: 'anthropic',
  toolIdPrefix: 'toolu_',
  requestIdHeader: 'request-id',
  parse: (body) => parseAnthropicMessagesRequest(body),
  renderMessage: renderAnthropicMessage,
  streamFrames: (reply, meta) => anthropicStreamFrames(reply, meta),
  errorBody: anthropicErrorBody,
};
