import { describe, expect, it } from 'vitest';
import { skillsAnnouncedInText, skillsNamedByToolCall } from './skills.js';

describe('skill loads', () => {
  it('a skill tool names its skill, whatever the harness calls the argument', () => {
    expect(skillsNamedByToolCall('Skill', { skill: 'pdf' })).toEqual(['pdf']);
    expect(skillsNamedByToolCall('Skill', { command: '/pdf' })).toEqual(['pdf']);
    expect(skillsNamedByToolCall('skill', { name: 'slug-rules' })).toEqual(['slug-rules']);
    expect(skillsNamedByToolCall('activate_skill', { name: 'docx' })).toEqual(['docx']);
    expect(skillsNamedByToolCall('load_skill', { name: 'log-triage' })).toEqual(['log-triage']);
  });

  it('reading a SKILL.md loads the skill of its folder; writing or patching one does not', () => {
    expect(skillsNamedByToolCall('shell', { command: ['bash', '-lc', 'cat ~/.codex/skills/slug-rules/SKILL.md'] })).toEqual(['slug-rules']);
    expect(skillsNamedByToolCall('read', { path: 'C:\\skills\\pdf\\SKILL.md' })).toEqual(['pdf']);
    expect(skillsNamedByToolCall('Write', { file_path: '/x/skills/new/SKILL.md', content: '…' })).toEqual([]);
    expect(skillsNamedByToolCall('apply_patch', { input: '*** Add File: skills/new/SKILL.md' })).toEqual([]);
    expect(skillsNamedByToolCall('Bash', { command: 'ls skills/' })).toEqual([]);
  });

  it('an injected skill body names its folder', () => {
    expect(skillsAnnouncedInText('Base directory for this skill: /home/u/.claude/skills/pdf/\n\n# PDF')).toEqual(['pdf']);
    expect(skillsAnnouncedInText('no skill here')).toEqual([]);
  });
});
