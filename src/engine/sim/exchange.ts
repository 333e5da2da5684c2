import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from '../util/log.js';
import { errorMessage } from '../util/errors.js';
import { httpErrorForFault, type WireErrorKind } from './faults.js';
import { encodeSse, flushed, neutralHeaders, sendJson, sendText, startSse, writeChunk, type SseFrame } from './http.js';
import type { SimFault, SimPolicy, SimReply, SimRequest } from './policy.js';
import { resolveReply } from './reply.js';
import type { StatsTracker } from './stats.js';
import { WireRequestError, type ReplyMeta, type WireFrontEnd } from './wire/types.js';

/** What one chat exchange needs from the server around it. */
export interface ExchangeEnv {
  /** Snapshot taken when the request arrived, so setPolicy never changes a request mid-flight. */
  policy: SimPolicy;
  stats: StatsTracker;
  nextSeq(): number;
  log: Logger;
  /** Registers the request's controller so close() can end hanging requests; returns the undo. */
  track(controller: AbortController): () => void;
}

/** Text of the half-reply sent before a malformed or disconnect fault cuts the response. */
const CUT_SHORT_TEXT = 'skvm simulator: this reply is cut short by an injected fault';

export function sendWireError(
  front: WireFrontEnd,
  res: ServerResponse,
  status: number,
  kind: WireErrorKind,
  message: string,
  headers: Record<string, string> = {},
  requestId?: string,
): void {
  sendJson(res, status, front.errorBody(kind, message, requestId === undefined ? undefined : { requestId }), headers);
}

/** Parse → ask the policy → render the reply or act out the fault, in the front end's wire format. */
export async function runExchange(front: WireFrontEnd, req: IncomingMessage, res: ServerResponse, body: unknown, env: ExchangeEnv, receivedAt: number): Promise<void> {
  let parsed;
  try {
    parsed = front.parse(body);
  } catch (err) {
    if (!(err instanceof WireRequestError)) throw err;
    sendWireError(front, res, 400, 'invalid_request', err.message);
    return;
  }
  const seq = env.nextSeq();
  const requestId = `req_sim_${seq}`;
  res.setHeader(front.requestIdHeader, requestId);
  const simReq: SimRequest = { api: front.api, ...parsed.request, seq, headers: neutralHeaders(req), receivedAt };
  const meta: ReplyMeta = { seq, model: simReq.model, created: Math.floor(Date.now() / 1000), requestId };

  const controller = new AbortController();
  // 'close' after a finished response is the normal end; before it, the client has gone.
  const onClose = () => {
    if (!res.writableFinished) controller.abort(new Error('client disconnected'));
  };
  res.on('close', onClose);
  const untrack = env.track(controller);
  env.stats.begin(front.api);
  env.log.debug(`${front.api} seq=${seq} model=${simReq.model} stream=${simReq.stream} messages=${simReq.messages.length}`);
  try {
    let reply: SimReply;
    try {
      reply = await env.policy.respond(simReq, { signal: controller.signal });
    } catch (err) {
      if (controller.signal.aborted) return; // the client left or the server is closing: nobody to answer
      env.stats.fault('policy_error');
      env.log.warn(`policy "${env.policy.name}" failed on seq=${seq}: ${errorMessage(err)}`);
      sendWireError(front, res, 500, 'api_error', `skvm simulator policy "${env.policy.name}" failed: ${errorMessage(err)}`, {}, requestId);
      return;
    }
    if (controller.signal.aborted) return;
    if (reply.kind === 'fault') {
      env.stats.fault(reply.fault.type);
      await actOutFault(reply.fault, { front, req, res, simReq, meta, signal: controller.signal });
      return;
    }
    const resolved = resolveReply(reply, simReq, front.toolIdPrefix);
    if (simReq.stream) {
      env.stats.streamed();
      startSse(res);
      await writeFrames(res, front.streamFrames(resolved, meta, { includeUsage: parsed.streamUsage }));
      res.end();
    } else {
      sendJson(res, 200, front.renderMessage(resolved, meta));
    }
  } finally {
    env.stats.end();
    untrack();
    res.off('close', onClose);
  }
}

async function writeFrames(res: ServerResponse, frames: SseFrame[]): Promise<boolean> {
  for (const frame of frames) if (!(await writeChunk(res, encodeSse(frame)))) return false;
  return true;
}

interface FaultScene {
  front: WireFrontEnd;
  req: IncomingMessage;
  res: ServerResponse;
  simReq: SimRequest;
  meta: ReplyMeta;
  signal: AbortSignal;
}

async function actOutFault(fault: SimFault, scene: FaultScene): Promise<void> {
  const { front, res, simReq, meta } = scene;
  const httpError = httpErrorForFault(fault);
  if (httpError) {
    sendWireError(front, res, httpError.status, httpError.kind, httpError.message, httpError.headers, meta.requestId);
    return;
  }
  const partial = resolveReply({ kind: 'message', text: CUT_SHORT_TEXT }, simReq, front.toolIdPrefix);
  switch (fault.type) {
    case 'malformed': {
      if (simReq.stream) {
        // A valid first event, then one whose JSON is cut in half (pings are skipped by clients, so not those).
        const frames = front.streamFrames(partial, meta, { includeUsage: false }).filter((f) => f.event !== 'ping');
        const [first, second] = frames;
        startSse(res);
        if (first) await writeChunk(res, encodeSse(first));
        if (second) await writeChunk(res, encodeSse({ ...second, data: second.data.slice(0, Math.floor(second.data.length / 2)) }));
        res.end();
      } else {
        const json = JSON.stringify(front.renderMessage(partial, meta));
        sendText(res, 200, 'application/json', json.slice(0, Math.floor(json.length / 2)));
      }
      return;
    }
    case 'hang':
      await abortedPromise(scene.signal);
      res.destroy();
      return;
    case 'disconnect':
      if (simReq.stream) {
        startSse(res);
        await writeFrames(res, front.streamFrames(partial, meta, { includeUsage: false }).slice(0, 3));
        await flushed(res);
      }
      res.destroy();
      return;
    default:
      return;
  }
}

function abortedPromise(signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    signal.addEventListener('abort', () => resolve(), { once: true });
  });
}
