import type { ChatProvider, ModelEndpoint } from '../../../llm/types.js';
import { UsageError } from '../../../util/errors.js';

/**
 * Managed mode: the route our config gives the model — base URL, key and vendor id — which the
 * harness is then configured with. The kinds the harness can speak are checked here so the
 * refusal names the route.
 */
export function managedEndpoint(llm: ChatProvider, model: string, harness: string, kinds: readonly ModelEndpoint['kind'][]): ModelEndpoint {
  if (!llm.endpoint) throw new UsageError(`Adapter "${harness}" in managed mode needs the model's route, and this LLM client cannot tell it.`, 'Run it through the skvm engine (an LlmClient), or use adapterConfig "native".');
  const ep = llm.endpoint(model);
  if (!kinds.includes(ep.kind)) {
    throw new UsageError(
      `Adapter "${harness}" cannot use model "${model}": its route "${ep.route}" is of kind ${ep.kind}, and ${harness} speaks ${kinds.join(' or ')}.`,
      `Route the model through a ${kinds.join(' or ')} route in providers.routes, or use adapterConfig "native" with the harness's own login.`,
    );
  }
  return ep;
}
