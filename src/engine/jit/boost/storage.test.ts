import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDirs } from '../../../../test/tmp.js';
import { extractParamsByPattern, materialize } from './params.js';
import { BoostCandidateSchema, usableCandidates, type BoostCandidate } from './schema.js';
import { selectSnippets, readCodeSnippets } from './snippets.js';
import {
  candidatesPath,
  deleteSolidificationState,
  loadCandidates,
  loadSolidificationState,
  saveCandidates,
  saveSolidificationState,
  statePath,
} from './storage.js';

/** jit-boost files (spec runtime §6.1), params and conv-log snippets. */

const tmp = tempDirs('skvm-boost-store-');

const candidate: BoostCandidate = {
  purposeId: 'count-words',
  keywords: ['count'],
  codeSignature: 'wc.*-w',
  functionTemplate: 'wc -w < ${file}',
  params: { file: { type: 'string', description: 'the file', extractPattern: 'in (\\S+)' }, n: 'number' },
  materializationType: 'shell',
};

describe('schemas', () => {
  it('take the legacy param form and the full one, and refuse what the spec does not allow', () => {
    expect(BoostCandidateSchema.parse(candidate).params).toEqual(candidate.params);
    expect(BoostCandidateSchema.safeParse({ ...candidate, keywords: [] }).success).toBe(false);
    expect(BoostCandidateSchema.safeParse({ ...candidate, materializationType: 'node' }).success).toBe(false);
    expect(BoostCandidateSchema.safeParse({ ...candidate, params: { x: 'boolean' } }).success).toBe(false);
  });

  it('drops candidates with a bad signature or extract pattern, and untemplated ones when asked', () => {
    const bad = [{ ...candidate, purposeId: 'a', codeSignature: '(' }, { ...candidate, purposeId: 'b', params: { f: { type: 'string' as const, description: 'f', extractPattern: '[' } } }];
    expect(usableCandidates([candidate, ...bad]).map((c) => c.purposeId)).toEqual(['count-words']);
    expect(usableCandidates([{ ...candidate, functionTemplate: ' ' }], { requireTemplate: true })).toEqual([]);
  });
});

describe('storage', () => {
  it('writes both files under jit-boost/<skillId>/ and reads them back validated', async () => {
    const root = tmp();
    expect(await loadCandidates(root, 'pdf')).toBeUndefined();
    const file = await saveCandidates(root, 'pdf', [candidate]);
    expect(file).toBe(path.join(root, 'jit-boost', 'pdf', 'boost-candidates.json'));
    expect(JSON.parse(await fsp.readFile(file, 'utf8'))).toEqual({ candidates: [candidate] });
    expect(await loadCandidates(root, 'pdf')).toEqual([candidate]);
    const state = { skillId: 'pdf', entries: [{ candidate, state: { candidateId: 'count-words', hitCount: 1, consecutiveMatches: 1, promoted: false, fallbackCount: 0 } }], updatedAt: '2026-12-06T00:00:00.000Z' };
    await saveSolidificationState(root, state);
    expect(await loadSolidificationState(root, 'pdf')).toEqual(state);
    await deleteSolidificationState(root, 'pdf');
    expect(await loadSolidificationState(root, 'pdf')).toBeUndefined();
  });

  it('a bad file is a clear error naming it, never a crash', async () => {
    const root = tmp();
    await fsp.mkdir(path.dirname(statePath(root, 'pdf')), { recursive: true });
    await fsp.writeFile(statePath(root, 'pdf'), '{"skillId": "pdf", "entries": [{}]}');
    const err = (await loadSolidificationState(root, 'pdf').catch((e: unknown) => e)) as Error;
    expect(err.message).toContain(`${statePath(root, 'pdf')} is not a valid jit-boost solidification state:\n- entries[0].candidate: Invalid input: expected object`);
    await fsp.writeFile(candidatesPath(root, 'pdf'), '{not json');
    await expect(loadCandidates(root, 'pdf')).rejects.toThrow(/boost-candidates\.json is not a valid jit-boost candidates file: not JSON/);
  });

  it('refuses a skill id that is not one path segment', () => {
    for (const id of ['..', '../x', 'a/b', '']) expect(() => statePath('/p', id)).toThrow(/is not a jit-boost skill id/);
  });
});

describe('params', () => {
  it('takes the first capture group, trimmed, typed; a number that is not one is missing', () => {
    const c: BoostCandidate = { ...candidate, params: { file: { type: 'string', description: 'f', extractPattern: 'in\\s+([\\w.]+)' }, n: { type: 'number', description: 'n', extractPattern: 'top (\\w+)' } } };
    expect(extractParamsByPattern(c, 'words in  notes.txt, top 5')).toEqual({ file: 'notes.txt', n: 5 });
    expect(extractParamsByPattern(c, 'words in notes.txt, top five')).toEqual({ file: 'notes.txt' });
  });

  it('quotes string values as one shell word and leaves no placeholder behind', () => {
    expect(materialize(candidate, { file: "x'; rm -rf / #", n: 2 })).toBe(`wc -w < 'x'\\''; rm -rf / #'`);
    expect(materialize({ ...candidate, functionTemplate: 'echo ${file} ${other}' }, { file: 'a' })).toBeUndefined();
    expect(materialize({ ...candidate, functionTemplate: 'echo ${file}' }, { file: '${HOME}' })).toBe(`echo '\${HOME}'`);
    expect(materialize({ ...candidate, materializationType: 'python', functionTemplate: 'print(${file})' }, { file: 'a"b\\n' })).toBe('print("a\\"b\\\\n")');
  });
});

describe('conv-log snippets', () => {
  it('reads commands and written files from response entries only, skipping bad lines; keeps the 10 longest ≥ 20 chars', async () => {
    const file = path.join(tmp(), 'log.jsonl');
    const lines = [
      { type: 'request', messages: [{ role: 'user', content: 'execute_command wc -w notes.txt' }] },
      { type: 'response', toolCalls: [{ name: 'execute_command', arguments: { command: 'cat notes.txt | wc -w' } }, { name: 'read_file', arguments: { path: 'a.txt' } }] },
      'torn line {',
      { type: 'response', toolCalls: [{ name: 'write_file', arguments: { path: 'x.sh', content: '#!/bin/sh\nwc -w "$1" | cut -d" " -f1\n' } }, { name: 'write_file', arguments: { path: 'e', content: '' } }] },
    ];
    await fsp.writeFile(file, lines.map((l) => (typeof l === 'string' ? l : JSON.stringify(l))).join('\n'));
    const snippets = await readCodeSnippets(file);
    expect(snippets).toEqual([
      { tool: 'execute_command', code: 'cat notes.txt | wc -w', turnIndex: 1 },
      { tool: 'write_file', code: '#!/bin/sh\nwc -w "$1" | cut -d" " -f1\n', turnIndex: 2 },
    ]);
    const many = Array.from({ length: 14 }, (_, k) => ({ tool: 'execute_command' as const, code: 'x'.repeat(15 + k * 200), turnIndex: k }));
    const picked = selectSnippets(many);
    expect(picked).toHaveLength(10);
    expect(picked[0]!.code).toHaveLength(2000);
    expect(picked.every((s) => s.code.length >= 20)).toBe(true);
    expect(picked.map((s) => s.turnIndex)).toEqual([13, 12, 11, 10, 9, 8, 7, 6, 5, 4]);
  });
});
