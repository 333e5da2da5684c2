/**
 * Native-mode settings from config `adapters.<name>` (spec runtime §2.1): which of the user's own
 * agents to copy (`nativeSourceAgent`, OpenClaw) or to run (`nativeAgent`, opencode). A bare
 * path entry has none.
 */
export function nativeSetting(adapters: Record<string, unknown> | undefined, harness: string, key: 'nativeSourceAgent' | 'nativeAgent'): string | undefined {
  const entry = adapters?.[harness];
  if (typeof entry !== 'object' || entry === null) return undefined;
  const value = (entry as Record<string, unknown>)[key];
  return typeof value === 'string' && value !== '' ? value : undefined;
}
