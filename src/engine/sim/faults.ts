import type { SimFault } from './policy.js';

/** Vendor-neutral error categories; each wire front end spells them in its own error JSON. */
export type WireErrorKind = 'invalid_request' | 'authentication' | 'not_found' | 'rate_limit' | 'api_error' | 'overloaded';

export interface HttpErrorReply {
  status: number;
  kind: WireErrorKind;
  message: string;
  headers: Record<string, string>;
}

/** The faults that are a plain HTTP error response; malformed, hang and disconnect are not. */
export function httpErrorForFault(fault: SimFault): HttpErrorReply | null {
  switch (fault.type) {
    case 'rate_limit': {
      const headers: Record<string, string> = {};
      if (fault.retryAfterSeconds !== undefined) headers['retry-after'] = String(fault.retryAfterSeconds);
      return { status: 429, kind: 'rate_limit', message: 'Rate limit reached (skvm simulator fault).', headers };
    }
    case 'server_error': {
      const status = fault.status ?? 500;
      return {
        status,
        kind: status === 529 ? 'overloaded' : 'api_error',
        message: fault.message ?? `Internal server error ${status} (skvm simulator fault).`,
        headers: {},
      };
    }
    case 'auth':
      return { status: 401, kind: 'authentication', message: 'Invalid API key (skvm simulator fault).', headers: {} };
    case 'bad_request':
      return { status: 400, kind: 'invalid_request', message: fault.message ?? 'Bad request (skvm simulator fault).', headers: {} };
    case 'malformed':
    case 'hang':
    case 'disconnect':
      return null;
  }
}
