import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../util/errors.js';
import { jitOptimizeRoot, proposalDirFromId, proposalId, proposalIdFromDir, proposalKeyDir, proposalSkillName } from './paths.js';

const root = '/var/skvm/proposals';

describe('proposal paths', () => {
  it('lays out <proposals>/jit-optimize/<harness>/<safeModel>/<skill>', () => {
    expect(jitOptimizeRoot(root)).toBe('/var/skvm/proposals/jit-optimize');
    expect(proposalKeyDir(root, { harness: 'bare-agent', targetModel: 'openrouter/qwen/qwen3.5-9b:free', skillName: 'pdf' })).toBe(
      '/var/skvm/proposals/jit-optimize/bare-agent/openrouter--qwen--qwen3.5-9b_free/pdf',
    );
    expect(proposalId({ harness: 'bare-agent', targetModel: 'a/b', skillName: 'pdf' }, '20260410T124408123Z')).toBe('bare-agent/a--b/pdf/20260410T124408123Z');
  });

  it('maps ids to dirs and back', () => {
    const id = 'bare-agent/openrouter--qwen--qwen3.5-9b/pdf/20260410T124408123Z-2';
    const dir = proposalDirFromId(root, id);
    expect(dir).toBe(path.join(root, 'jit-optimize', id));
    expect(proposalIdFromDir(root, dir)).toBe(id);
  });

  it.each([
    '../../../etc/passwd',
    'bare-agent/m/skill/../20260410T124408123Z',
    'bare-agent/m/../20260410T124408123Z',
    '/abs/m/skill/20260410T124408123Z',
    'bare-agent/m/skill/20260410T124408123Z/extra',
    'bare-agent/m/skill',
    'bare-agent//skill/20260410T124408123Z',
    'bare-agent/m/skill/not-a-timestamp',
    'bare-agent/m/.hidden/20260410T124408123Z',
    'bare-agent/m/sk\\ill/20260410T124408123Z',
    'bare-agent/m/skill/20260410T124408123Z\0',
    '',
  ])('refuses the id %j', (id) => {
    expect(() => proposalDirFromId(root, id)).toThrow(UsageError);
  });

  it('names the skill from its folder, skipping a version folder', () => {
    expect(proposalSkillName('/skills/pdf')).toBe('pdf');
    expect(proposalSkillName('/skills/pdf/v1.2')).toBe('pdf');
    expect(proposalSkillName('/skills/pdf/v2')).toBe('pdf');
    expect(proposalSkillName('/skills/vector-search')).toBe('vector-search');
  });
});
