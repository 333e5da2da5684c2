import type { ChatProvider, ModelEndpoint } from '../../../llm/types.js';
import { UsageError } from '../../../util/errors.js';

/**
 * The key a harness that will not start without one (Claude Code: "Not logged in") gets on an
 * auth-free route (`"apiKey": ""`): no secret, and an endpoint that needs no key ignores it.
 */
export const AUTH_FREE_PLACEHOLDER_KEY = 'skvm-auth-free-route-no-key';

/**
 * Managed mode: the route our config gives the model — base URL, key and vendor id — which the
 * harness is then configured with. The kinds the harness can speak are checked here so the
 * refusal names the route. `needsKey`: an auth-free route's empty key becomes the placeholder.
 */
export function managedEndpoint(llm: ChatProvider, model: string, harness: string, kinds: readonly ModelEndpoint['kind'][], needsKey = false): ModelEndpoint {
  if (!llm.endpoint) throw new UsageError(`Adapter "${harness}" in managed mode needs the model's route, and this LLM client cannot tell it.`, 'Run it through the skvm engine (an LlmClient), or use adapterConfig "native".');
  const ep = llm.endpoint(model);
  if (!kinds.includes(ep.kind)) {
    throw new UsageError(
      `Adapter "${harness}" cannot use model "${model}": its route "${ep.route}" is of kind ${ep.kind}, and ${harness} speaks ${kinds.join(' or ')}.`,
      `Route the model through a ${kinds.join(' or ')} route in providers.routes, or use adapterConfig "native" with the harness's own login.`,
    );
  }
  return needsKey && ep.apiKey === '' ? { ...ep, apiKey: AUTH_FREE_PLACEHOLDER_KEY } : ep;
}
