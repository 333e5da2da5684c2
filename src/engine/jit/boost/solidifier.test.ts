import { promises as fsp } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { BeforeLlmContext } from '../../agent/types.js';
import { createWorkDir, removeWorkDir } from '../../sandbox/index.js';
import type { BoostCandidate } from './schema.js';
import { paramExtractionFailures, Solidifier } from './solidifier.js';
import { LlmError } from '../../llm/errors.js';
import type { ChatProvider } from '../../llm/types.js';

/** The solidifier's state machine (spec runtime §6.3) and its execution through the sandbox. */

const SANDBOX = { mode: 'auto' as const, network: false };

function candidate(over: Partial<BoostCandidate> = {}): BoostCandidate {
  return {
    purposeId: 'count-words',
    keywords: ['count the words'],
    codeSignature: 'wc[\\s\\S]*?-w',
    functionTemplate: 'wc -w < ${file}',
    params: { file: { type: 'string', description: 'the file', extractPattern: 'count the words in (\\S+?) and' } },
    materializationType: 'shell',
    monitoredTools: ['execute_command'],
    ...over,
  };
}

const cmd = (command: string) => ({ toolCalls: [{ id: 'c', name: 'execute_command', arguments: { command } }] });
const stats = (s: Solidifier) => s.stats().candidates[0]!;

describe('monitor and promotion', () => {
  it('promotes after N consecutive matches, case-insensitively', () => {
    const s = Solidifier.fromCandidates([candidate()], { skillId: 'k', sandbox: SANDBOX });
    s.monitor(cmd('WC -W notes.txt'));
    s.monitor(cmd('cat notes.txt | wc -w'));
    expect(stats(s)).toMatchObject({ promoted: false, hitCount: 2, consecutiveMatches: 2 });
    s.monitor(cmd('wc -w < notes.txt'));
    expect(stats(s)).toMatchObject({ promoted: true, hitCount: 3, consecutiveMatches: 3 });
    expect(s.exportState().entries[0]!.promotedAt).toMatch(/^\d{4}-\d\d-\d\dT/);
  });

  it('resets the consecutive count on a miss but keeps the hits', () => {
    const s = Solidifier.fromCandidates([candidate()], { skillId: 'k', sandbox: SANDBOX });
    s.monitor(cmd('wc -w a'));
    s.monitor(cmd('wc -w b'));
    s.monitor(cmd('ls -la'));
    expect(stats(s)).toMatchObject({ promoted: false, hitCount: 2, consecutiveMatches: 0 });
    s.monitor(cmd('wc -w c'));
    s.monitor(cmd('wc -w d'));
    expect(stats(s).promoted).toBe(false);
    s.monitor(cmd('wc -w e'));
    expect(stats(s).promoted).toBe(true);
  });

  it('watches only its monitored tools (default execute_command, write_file, web_fetch), write_file by its content', () => {
    const watched = Solidifier.fromCandidates([candidate({ monitoredTools: undefined })], { skillId: 'k', sandbox: SANDBOX, promotionThreshold: 1 });
    watched.monitor({ toolCalls: [{ id: 'a', name: 'read_file', arguments: { path: 'wc -w' } }] });
    expect(stats(watched).hitCount).toBe(0);
    watched.monitor({ toolCalls: [{ id: 'b', name: 'write_file', arguments: { path: 'x.sh', content: 'wc -w "$1"' } }] });
    expect(stats(watched).promoted).toBe(true);
    const onlyCommands = Solidifier.fromCandidates([candidate()], { skillId: 'k', sandbox: SANDBOX, promotionThreshold: 1 });
    onlyCommands.monitor({ toolCalls: [{ id: 'b', name: 'write_file', arguments: { path: 'x.sh', content: 'wc -w "$1"' } }] });
    expect(stats(onlyCommands).hitCount).toBe(0);
  });

  it('ignores a candidate whose signature is not a valid regex', () => {
    const s = Solidifier.fromCandidates([candidate({ codeSignature: 'wc (-w' })], { skillId: 'k', sandbox: SANDBOX, promotionThreshold: 1 });
    expect(() => s.monitor(cmd('wc (-w x'))).not.toThrow();
    expect(stats(s)).toMatchObject({ hitCount: 0, promoted: false });
  });
});

describe('execution and demotion', () => {
  let workDir: string;
  beforeEach(async () => {
    workDir = await createWorkDir({ tmpRoot: os.tmpdir(), prefix: 'skvm-boost-test-' });
    await fsp.writeFile(path.join(workDir, 'notes.txt'), 'one two three\n');
  });
  afterEach(async () => removeWorkDir(workDir, { tmpRoot: os.tmpdir() }));

  const ctx = (prompt: string): BeforeLlmContext => ({ prompt, workDir, iteration: 0, previousToolCalls: [] });
  const promoted = (c: BoostCandidate, opts: { demotionThreshold?: number } = {}) => {
    const s = Solidifier.fromCandidates([c], { skillId: 'k', sandbox: SANDBOX, promotionThreshold: 1, ...opts });
    s.monitor(cmd('wc -w x'));
    expect(stats(s).promoted).toBe(true);
    return s;
  };

  it('runs the materialized code in the work dir and answers in place of the model', async () => {
    const d = await promoted(candidate()).execute(ctx('Please count the words in notes.txt and report.'));
    expect(d.action).toBe('replace');
    if (d.action !== 'replace') return;
    expect(d.text).toBe('3\n');
    expect(d.toolResults).toEqual([
      expect.objectContaining({ id: expect.stringMatching(/^boost-count-words-\d+$/), name: 'execute_command', input: { command: 'wc -w < notes.txt' }, exitCode: 0, output: '3\n' }),
    ]);
  });

  it('passes through when no keyword is in the prompt, a param cannot be found, or a placeholder is unknown', async () => {
    expect((await promoted(candidate()).execute(ctx('Summarise notes.txt'))).action).toBe('passthrough');
    expect((await promoted(candidate()).execute(ctx('count the words please'))).action).toBe('passthrough');
    const stray = promoted(candidate({ functionTemplate: 'wc -w < ${file} ${other}' }));
    expect((await stray.execute(ctx('count the words in notes.txt and tell me'))).action).toBe('passthrough');
    expect(stats(stray).fallbackCount).toBe(0);
  });

  it('keeps a hostile param value one literal argument', async () => {
    await fsp.writeFile(path.join(workDir, "a'b $(touch pwned);x"), 'four five\n');
    const s = promoted(candidate({ functionTemplate: 'cat -- ${file} | wc -w | tr -d " "', params: { file: { type: 'string', description: 'f', extractPattern: 'count the words in <(.+?)> and' } } }));
    const d = await s.execute(ctx("count the words in <a'b $(touch pwned);x> and answer"));
    expect(d).toMatchObject({ action: 'replace', text: '2\n' });
    await expect(fsp.access(path.join(workDir, 'pwned'))).rejects.toThrow();
  });

  it('counts a failure as a fallback and demotes after M of them; fallbackCount is never reset', async () => {
    const s = promoted(candidate(), { demotionThreshold: 2 });
    const missing = ctx('count the words in missing.txt and report');
    expect((await s.execute(missing)).action).toBe('passthrough');
    expect(stats(s)).toMatchObject({ promoted: true, fallbackCount: 1 });
    expect((await s.execute(missing)).action).toBe('passthrough');
    expect(stats(s)).toMatchObject({ promoted: false, consecutiveMatches: 0, fallbackCount: 2 });
    // Re-promoted, it is demoted by its very next failure.
    s.monitor(cmd('wc -w again'));
    expect(stats(s).promoted).toBe(true);
    await s.execute(missing);
    expect(stats(s)).toMatchObject({ promoted: false, fallbackCount: 3 });
  });

  it('runs python candidates from _boost_solidified.py with the value as a string literal', async () => {
    const s = promoted(
      candidate({ materializationType: 'python', functionTemplate: 'import sys\nname = ${file}\nprint(len(open(name).read().split()))' }),
    );
    const d = await s.execute(ctx('count the words in notes.txt and say it'));
    expect(d).toMatchObject({ action: 'replace', text: '3\n', toolResults: [expect.objectContaining({ input: { command: 'python3 _boost_solidified.py' } })] });
    expect(await fsp.readFile(path.join(workDir, '_boost_solidified.py'), 'utf8')).toContain('name = "notes.txt"');
  });
});

describe('LLM param extraction', () => {
  let workDir: string;
  beforeEach(async () => {
    workDir = await createWorkDir({ tmpRoot: os.tmpdir(), prefix: 'skvm-boost-test-' });
  });
  afterEach(async () => removeWorkDir(workDir, { tmpRoot: os.tmpdir() }));

  it('counts a failing extraction call and passes through, leaving the candidate promoted', async () => {
    const failing: ChatProvider = {
      chat: async () => {
        throw new LlmError({ kind: 'transient', message: 'vendor down', route: 'sim/*', model: 'sim/x' });
      },
    };
    const s = Solidifier.fromCandidates([candidate({ params: { file: { type: 'string', description: 'the file' } } })], {
      skillId: 'k',
      sandbox: SANDBOX,
      promotionThreshold: 1,
      extract: { llm: failing, model: 'sim/x' },
    });
    s.monitor(cmd('wc -w x'));
    const before = paramExtractionFailures();
    expect(await s.execute({ prompt: 'count the words in notes.txt and say', workDir, iteration: 2, previousToolCalls: [] })).toEqual({ action: 'passthrough' });
    expect(paramExtractionFailures()).toBe(before + 1);
    expect(stats(s)).toMatchObject({ promoted: true, fallbackCount: 0 });
  });
});

describe('state export', () => {
  it('round-trips through the constructor', () => {
    const s = Solidifier.fromCandidates([candidate()], { skillId: 'k', sandbox: SANDBOX, promotionThreshold: 2 });
    s.monitor(cmd('wc -w a'));
    s.monitor(cmd('wc -w b'));
    const state = s.exportState();
    expect(state).toMatchObject({ skillId: 'k', entries: [{ state: { candidateId: 'count-words', hitCount: 2, consecutiveMatches: 2, promoted: true, fallbackCount: 0 } }] });
    const again = new Solidifier(state.entries, { skillId: 'k', sandbox: SANDBOX });
    expect(again.stats()).toEqual(s.stats());
  });
});
