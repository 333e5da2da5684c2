import type { WireFrontEnd } from '../types.js';
import { parseOpenAiChatRequest } from './parse.js';
import { openAiErrorBody, openAiStreamFrames, renderOpenAiCompletion } from './render.js';

/** `POST /v1/chat/completions`. */
export const openAiChatFrontEnd: WireFrontEnd = {
  api: 'openai',
  toolIdPrefix: 'call_',
  requestIdHeader: 'x-request-id',
  parse: parseOpenAiChatRequest,
  renderMessage: renderOpenAiCompletion,
  streamFrames: openAiStreamFrames,
  errorBody: (kind, message) => openAiErrorBody(kind, message),
};
