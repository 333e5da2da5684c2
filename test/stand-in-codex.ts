import { chmodSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { TRANSCRIPT_FIXTURES } from './transcript-fixtures.js';

/**
 * A stand-in for the Codex CLI (the real one runs in test/adapters): it prints the output the
 * real Codex recorded against the simulator (test/fixtures/transcripts/codex/exec.jsonl), after
 * `delaySeconds`. With `log`, each run first appends a line "<model> <skill|none>" there: the
 * model of the managed config.toml our adapter wrote, and whether an injected skill (AGENTS.md)
 * was in its work directory. A root engine runs harnesses as an unprivileged user, so `dir` is
 * made enterable by everyone (search only, mode 0711) and the log writable by everyone.
 */
export function standInCodex(dir: string, opts: { delaySeconds?: number; log?: string } = {}): string {
  chmodSync(dir, statSync(dir).mode | 0o111);
  if (opts.log) {
    writeFileSync(opts.log, '', { flag: 'a' });
    chmodSync(opts.log, 0o666);
  }
  const file = path.join(dir, `codex-stand-in-${opts.delaySeconds ?? 0}`);
  const record = opts.log
    ? `printf '%s %s\\n' "$(sed -n 's/^model = "\\(.*\\)"$/\\1/p' "$CODEX_HOME/config.toml")" "$([ -f AGENTS.md ] && echo skill || echo none)" >> '${opts.log}'\n`
    : '';
  writeFileSync(file, `#!/bin/sh\n${record}cat '${RECORDED_EXEC}'\nsleep ${opts.delaySeconds ?? 0}\n`);
  chmodSync(file, 0o755);
  return file;
}

const RECORDED_EXEC = path.join(TRANSCRIPT_FIXTURES, 'codex', 'exec.jsonl');

/** Input and output tokens the recorded run reports (its turn.completed usage). */
export function recordedCodexUsage(): { input: number; output: number } {
  const usage = { input: 0, output: 0 };
  for (const line of readFileSync(RECORDED_EXEC, 'utf8').split('\n')) {
    const e = line ? (JSON.parse(line) as { type?: string; usage?: { input_tokens: number; output_tokens: number } }) : {};
    if (e.type === 'turn.completed' && e.usage) {
      usage.input += e.usage.input_tokens;
      usage.output += e.usage.output_tokens;
    }
  }
  return usage;
}
