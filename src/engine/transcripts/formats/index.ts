import type { FormatDef } from '../format.js';
import { claudeCodeSession } from './claude-code-session.js';
import { claudeCodeStreamJson } from './claude-code-stream-json.js';
import { codexExecJson } from './codex-exec-json.js';
import { codexRollout } from './codex-rollout.js';
import { geminiCliSession } from './gemini-cli.js';
import { geminiCliStream } from './gemini-cli-stream.js';
import { opencode } from './opencode.js';
import { pi } from './pi.js';
import { simpleReport } from './simple-report.js';
import { skvmConversationLog } from './skvm-conversation-log.js';
import { skvmEvidenceJsonl } from './skvm-evidence-jsonl.js';

/**
 * Every transcript format, in detection order: the first whose matcher accepts a head line
 * (or the whole document) reads the file. Matchers key on fields only their format writes, so
 * the order matters only where shapes nest (our conversation log before Format B, whose
 * `request`/`response` lines are a looser version of it).
 */
export const FORMATS: readonly FormatDef[] = [
  claudeCodeSession,
  claudeCodeStreamJson,
  codexRollout,
  codexExecJson,
  opencode,
  pi,
  geminiCliSession,
  geminiCliStream,
  skvmConversationLog,
  skvmEvidenceJsonl,
  simpleReport,
];
