import type { AdapterError } from '../../types.js';

/**
 * Why a harness run failed, in a sentence and a hint, from the error text the harness gave (an
 * error event of its output, else the tail of stderr). Common provider failures are named —
 * authentication, unknown model, rate limit, unreachable endpoint — and anything else is
 * summarised by its last meaningful line.
 */

const STDERR_LIMIT = 2000;

interface Rule {
  test: RegExp;
  summary: string;
  hint: string;
}

const RULES: readonly Rule[] = [
  {
    test: /\b401\b|unauthori[sz]ed|invalid[ _-]?(api[ _-]?)?key|authentication|x-api-key|not logged in|please (run )?\/?login/i,
    summary: 'the provider refused the credentials',
    hint: "Check the key the model's route names (providers.routes apiKeyEnv) or, in native mode, the harness's own login.",
  },
  {
    test: /model[^\n]{0,80}(not[ _]found|does not exist|not available|unknown|not supported)|unknown model|no such model|invalid model/i,
    summary: 'the provider does not know the model',
    hint: 'Check the model id (the part after the provider prefix is what the vendor receives); models_list shows what the route serves.',
  },
  {
    test: /\b429\b|rate[ _-]?limit|too many requests|quota|overloaded|\b529\b/i,
    summary: 'the provider is rate limiting or overloaded',
    hint: 'Retry later, lower the concurrency (runs.maxConcurrent), or use another route.',
  },
  {
    test: /ECONNREFUSED|ENOTFOUND|EAI_AGAIN|ETIMEDOUT|ECONNRESET|fetch failed|connection (refused|error|reset)|network error|unable to connect/i,
    summary: 'the provider endpoint could not be reached',
    hint: "Check the route's baseUrl and the network.",
  },
];

/** The adapterError of a failed run. `message` is the harness's own error text when it reported one. */
export function diagnoseFailure(harness: string, exitCode: number, stderr: string, message?: { text: string; source: string }): AdapterError {
  const trimmed = stderr.length > STDERR_LIMIT ? stderr.slice(stderr.length - STDERR_LIMIT) : stderr;
  const text = message?.text.trim() || lastLines(stderr);
  const source = message?.text.trim() ? message.source : `${harness}:stderr`;
  const rule = RULES.find((r) => r.test.test(text));
  const base = { exitCode, stderr: trimmed };
  if (!text) return base;
  if (rule) return { ...base, diagnosis: { summary: `${harness}: ${rule.summary} (${oneLine(text)})`, hint: rule.hint, source } };
  return { ...base, diagnosis: { summary: `${harness}: ${oneLine(text)}`, source } };
}

function lastLines(text: string): string {
  return text
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean)
    .slice(-3)
    .join('\n');
}

function oneLine(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > 300 ? `${flat.slice(0, 297)}...` : flat;
}
