import { openAiErrorBody } from '../openai-chat/render.js';
import type { WireFrontEnd } from '../types.js';
import { parseOpenAiResponsesRequest } from './parse.js';
import { openAiResponsesStreamFrames, renderOpenAiResponse } from './render.js';

/** `POST /v1/responses` (the OpenAI Responses API; Codex speaks only this). Errors use OpenAI's shape. */
export const openAiResponsesFrontEnd: WireFrontEnd = {
  api: 'openai-responses',
  toolIdPrefix: 'call_',
  requestIdHeader: 'x-request-id',
  parse: parseOpenAiResponsesRequest,
  renderMessage: renderOpenAiResponse,
  streamFrames: (reply, meta) => openAiResponsesStreamFrames(reply, meta),
  errorBody: (kind, message) => openAiErrorBody(kind, message),
};
