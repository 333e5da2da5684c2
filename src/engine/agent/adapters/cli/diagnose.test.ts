import { describe, expect, it } from 'vitest';
import { diagnoseFailure } from './diagnose.js';

describe('diagnoseFailure', () => {
  it.each([
    ['API Error: 401 {"type":"error","error":{"type":"authentication_error","message":"invalid x-api-key"}}', 'refused the credentials'],
    ['unexpected status 404 Not Found: The model `gpt-9` does not exist', 'does not know the model'],
    ['stream error: 429 Too Many Requests', 'rate limiting'],
    ['TypeError: fetch failed (ECONNREFUSED 127.0.0.1:9)', 'could not be reached'],
  ])('names a common failure: %s', (text, summary) => {
    const e = diagnoseFailure('codex', 1, `noise\n${text}\n`);
    expect(e.exitCode).toBe(1);
    expect(e.diagnosis!.summary).toContain(summary);
    expect(e.diagnosis!.summary.startsWith('codex: ')).toBe(true);
    expect(e.diagnosis!.hint).toBeTruthy();
    expect(e.diagnosis!.source).toBe('codex:stderr');
  });

  it("prefers the harness's own error report and keeps only the last 2000 characters of stderr", () => {
    const stderr = 'x'.repeat(5000);
    const e = diagnoseFailure('claude-code', 2, stderr, { text: 'Something odd happened', source: 'claude-code:result-event' });
    expect(e.stderr).toHaveLength(2000);
    expect(e.diagnosis).toEqual({ summary: 'claude-code: Something odd happened', source: 'claude-code:result-event' });
  });

  it('no text at all: no diagnosis, just the exit code', () => {
    expect(diagnoseFailure('pi', 137, '')).toEqual({ exitCode: 137, stderr: '' });
  });
});
