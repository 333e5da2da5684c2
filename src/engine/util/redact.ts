/**
 * Secret hygiene. Every API key the engine knows of is registered here — each route's key, the
 * value of each route's apiKeyEnv, and credential-named variables of the server's environment —
 * and every string that leaves the process through logs, run records or tool results passes
 * `redact`, which masks the key and its common encodings (base64 and base64url at every byte
 * alignment, hex, URL-encoding), so a key that went through `btoa`, `xxd -p` or a Basic auth
 * header is masked too. An adversary can always invent an encoding of its own; the real defence
 * is that keys never reach agent commands (sandbox/env.ts, sandbox/run.ts). Redaction is for
 * the accidents.
 */
const secrets = new Set<string>();
/** Every form to mask, longest first so a longer form is replaced before a shorter one inside it. */
let forms: string[] = [];

/** Names of fields whose values are never stored or shown (compared without - and _). */
const SECRET_FIELD = /(apikey|secret|password|authorization|accesstoken|authtoken|refreshtoken|bearer)/;
/** Environment variables whose values are credentials: `OPENAI_API_KEY`, `GITHUB_TOKEN`, `AWS_SECRET_ACCESS_KEY`… */
const SECRET_ENV_NAME = /(KEY|TOKEN|SECRET|PASSWORD|PASSWD|CREDENTIALS?)$/i;
/** Very short values (e.g. "x", "sim") would redact ordinary words; keys are long. */
const MIN_SECRET_LENGTH = 8;

export function registerSecret(value: string | undefined | null): void {
  if (!value || value.length < MIN_SECRET_LENGTH || secrets.has(value)) return;
  secrets.add(value);
  const all = new Set(forms);
  for (const f of encodings(value)) all.add(f);
  forms = [...all].sort((a, b) => b.length - a.length);
}

/** Registers the value of every variable whose name marks a credential (`*_API_KEY`, `*_TOKEN`, …). */
export function registerEnvSecrets(env: NodeJS.ProcessEnv): void {
  for (const [name, value] of Object.entries(env)) if (SECRET_ENV_NAME.test(name)) registerSecret(value);
}

/** Registers every key a route list configures: literal `apiKey`s and the values of `apiKeyEnv` variables. */
export function registerRouteSecrets(routes: ReadonlyArray<{ apiKey?: string | undefined; apiKeyEnv?: string | undefined }>, env: NodeJS.ProcessEnv): void {
  for (const r of routes) {
    registerSecret(r.apiKey);
    if (r.apiKeyEnv) registerSecret(env[r.apiKeyEnv]);
  }
}

export function redact(text: string): string {
  let out = text;
  for (const s of forms) if (out.includes(s)) out = out.split(s).join('***');
  return out;
}

/** True when the text holds a registered key in any of the masked forms. */
export function containsSecret(text: string): boolean {
  return forms.some((s) => text.includes(s));
}

/**
 * The forms masked for one key. base64 of a key embedded in longer data depends on the key's
 * offset modulo 3, so each alignment contributes the characters that depend on key bytes only
 * (a few edge characters, shared with the neighbours, stay visible: at most ~2 bytes' worth).
 */
function encodings(value: string): string[] {
  const bytes = Buffer.from(value, 'utf8');
  const out = [value, bytes.toString('hex'), bytes.toString('hex').toUpperCase(), encodeURIComponent(value)];
  for (let align = 0; align < 3; align++) {
    const b64 = Buffer.concat([Buffer.alloc(align), bytes]).toString('base64');
    const core = b64.slice(Math.ceil((8 * align) / 6), Math.floor((8 * (align + bytes.length)) / 6));
    out.push(core, core.replace(/\+/g, '-').replace(/\//g, '_'));
  }
  return out.filter((f) => f.length >= MIN_SECRET_LENGTH);
}

/** Show that a key is set without showing it: first 3 and last 2 characters for long keys. */
export function maskKey(value: string): string {
  if (value.length === 0) return '(empty)';
  if (value.length < 12) return '***';
  return `${value.slice(0, 3)}…${value.slice(-2)}`;
}

export function isSecretFieldName(name: string): boolean {
  const n = name.toLowerCase().replace(/[-_]/g, '');
  // `apiKeyEnv` names a variable; the variable's value is the secret, not its name.
  return !n.endsWith('env') && SECRET_FIELD.test(n);
}

/** Deep copy with secret-named fields replaced and registered secret values masked. */
export function redactValue<T>(value: T): T {
  return scrub(value) as T;
}

function scrub(value: unknown): unknown {
  if (typeof value === 'string') return redact(value);
  if (Array.isArray(value)) return value.map(scrub);
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = isSecretFieldName(k) && typeof v === 'string' ? '***' : scrub(v);
    return out;
  }
  return value;
}
