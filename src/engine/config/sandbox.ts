import type { Engine } from '../engine.js';
import type { SandboxMode } from '../sandbox/types.js';

/** The configured sandbox mode (`sandbox.mode`, default `auto`); an invalid config reads as auto. */
export function sandboxMode(engine: Engine): SandboxMode {
  try {
    return engine.config().config.sandbox?.mode ?? 'auto';
  } catch {
    return 'auto';
  }
}
