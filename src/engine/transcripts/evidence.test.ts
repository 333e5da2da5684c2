import { promises as fsp } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { TRANSCRIPT_FIXTURES } from '../../../test/transcript-fixtures.js';
import { registerSecret } from '../util/redact.js';
import { parseTranscriptFile, transcriptToEvidence, NO_TASK_PROMPT } from './index.js';
import { emptyUsage } from './builder.js';
import type { ParsedTranscript } from './types.js';

const fx = (rel: string) => path.join(TRANSCRIPT_FIXTURES, rel);

function transcript(over: Partial<ParsedTranscript>): ParsedTranscript {
  return { format: 'skvm-evidence-jsonl', path: '/x', turns: [], skillsLoaded: [], usage: emptyUsage(), skippedLines: 0, warnings: [], ...over };
}

describe('transcriptToEvidence', () => {
  it('Claude Code session: request/response/tool entries with arguments, error results with exit codes, run metadata', async () => {
    const e = transcriptToEvidence(await parseTranscriptFile(fx('claude-code-documented/session.jsonl')), 'log-1');
    expect(e.taskId).toBe('log-1');
    expect(e.taskPrompt).toBe('Use the slug-rules skill to slugify title.txt into slug.txt');
    expect(e.conversationLog.map((x) => x.type)).toEqual(['request', 'response', 'tool', 'response', 'tool', 'response', 'response', 'tool', 'response']);
    // The assistant's text and the Skill call it made are one response.
    expect(e.conversationLog[1]).toMatchObject({ text: "I'll load the skill first.", toolCalls: [{ id: 'toolu_01', name: 'Skill', arguments: { skill: 'slug-rules' } }] });
    expect(e.conversationLog[4]).toMatchObject({
      type: 'tool',
      toolCalls: [{ id: 'toolu_02', name: 'Bash', arguments: { command: 'cat titles.txt' }, isError: true, exitCode: 1 }],
    });
    expect(e.conversationLog[5]).toMatchObject({ sidechain: true, text: 'Sub-agent: title.txt holds Hello World.' });
    expect(e.conversationLog.every((x) => typeof x.ts === 'string' && x.ts.length > 0)).toBe(true);
    expect(e.runMeta).toMatchObject({ skillLoaded: true, costUsd: 0, durationMs: 3900, tokens: { input: 6100, output: 117, cacheRead: 4300, cacheWrite: 300 } });
    expect(e.runMeta!.runStatus).toBeUndefined();
    expect(e.criteria).toBeUndefined();
  });

  it('stream-json without a prompt ⇒ the placeholder; a reported error ⇒ runStatus with the detail', async () => {
    const t = await parseTranscriptFile(fx('claude-code-documented/stream-json.ndjson'));
    const e = transcriptToEvidence({ ...t, outcome: { status: 'error', text: 'max turns reached' } }, 'log-2');
    expect(e.taskPrompt).toBe(NO_TASK_PROMPT);
    expect(e.runMeta).toMatchObject({ costUsd: 0.0123, runStatus: 'adapter-crashed', statusDetail: 'max turns reached' });
    expect(e.runMeta!.skillLoaded).toBeUndefined();
  });

  it('simple report ⇒ its agent-reported criterion; nothing known about the run ⇒ no runMeta', async () => {
    const e = transcriptToEvidence(await parseTranscriptFile(fx('simple-report/report-partial.json')), 'report');
    expect(e.criteria).toEqual([expect.objectContaining({ id: 'agent-reported', score: 0.5, passed: false })]);
    expect(e.conversationLog.map((x) => x.type)).toEqual(['request', 'response']);
    expect(transcriptToEvidence(transcript({ turns: [{ kind: 'user', text: 'hi' }] }), 't').runMeta).toBeUndefined();
  });

  it('Evidence written as Format B reads back to the same turns', async () => {
    const t = await parseTranscriptFile(fx('codex-documented/rollout.jsonl'));
    const e = transcriptToEvidence(t, 'x');
    const dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'skvm-ev-'));
    try {
      const file = path.join(dir, 'conversation.jsonl');
      await fsp.writeFile(file, e.conversationLog.map((x) => JSON.stringify(x)).join('\n') + '\n');
      const back = await parseTranscriptFile(file);
      expect(back.format).toBe('skvm-evidence-jsonl');
      expect(back.taskPrompt).toBe(t.taskPrompt);
      const strip = (x: ParsedTranscript) => x.turns.map(({ kind, text, toolName, toolCallId, isError, exitCode }) => ({ kind, text, toolName, toolCallId, isError: isError || undefined, exitCode }));
      expect(strip(back)).toEqual(strip(t));
    } finally {
      await fsp.rm(dir, { recursive: true, force: true });
    }
  });

  it('a registered secret in a transcript never reaches the Evidence', () => {
    const key = 'sk-transcript-secret-0123456789abcdef';
    registerSecret(key);
    const e = transcriptToEvidence(
      transcript({ turns: [{ kind: 'user', text: `use ${key}` }, { kind: 'tool-call', toolName: 'Bash', toolCallId: 'c', arguments: { command: `curl -H "x-api-key: ${key}"`, apiKey: 'literal' } }] }),
      't',
    );
    const json = JSON.stringify(e);
    expect(json).not.toContain(key);
    expect(json).not.toContain('literal');
  });
});
