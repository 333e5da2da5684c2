/**
 * Secret hygiene. Every API key the engine resolves is registered here, and every string
 * that leaves the process through logs, run records or tool results passes `redact`.
 */
const secrets = new Set<string>();

/** Names of fields whose values are never stored or shown (compared without - and _). */
const SECRET_FIELD = /(apikey|secret|password|authorization|accesstoken|authtoken|refreshtoken|bearer)/;

export function registerSecret(value: string | undefined | null): void {
  // Very short values (e.g. "x", "sim") would redact ordinary words; keys are long.
  if (value && value.length >= 8) secrets.add(value);
}

export function redact(text: string): string {
  let out = text;
  for (const s of secrets) if (out.includes(s)) out = out.split(s).join('***');
  return out;
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
