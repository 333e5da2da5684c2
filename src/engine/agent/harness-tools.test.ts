import { describe, expect, it } from 'vitest';
import { successfulCommands } from '../profiler/gen/code-check.js';
import { pathArgumentOf, shellCommandOf, toolKind } from './harness-tools.js';
import type { AgentStep } from './types.js';

describe('harness tool names', () => {
  it('knows the shell, write and read tools of the bare agent and the CLI harnesses, in any case', () => {
    expect(['execute_command', 'Bash', 'bash', 'exec_command', 'shell'].map(toolKind)).toEqual(['shell', 'shell', 'shell', 'shell', 'shell']);
    expect(['write_file', 'Write', 'create_file', 'read_file', 'Read', 'WebSearch'].map(toolKind)).toEqual(['write', 'write', 'write', 'read', 'read', undefined]);
  });

  it('reads the command line of string and argv shell calls, and the path under any argument name', () => {
    expect(shellCommandOf({ command: 'ls' })).toBe('ls');
    expect(shellCommandOf({ cmd: 'ls -l' })).toBe('ls -l');
    expect(shellCommandOf({ command: ['bash', '-lc', 'python3 a.py'] })).toBe('python3 a.py');
    expect(shellCommandOf({ command: ['python3', 'a.py'] })).toBe('python3 a.py');
    expect(shellCommandOf({ command: 3 })).toBeUndefined();
    expect([{ path: 'a' }, { file_path: '/w/a' }, { filePath: 'b' }, {}].map(pathArgumentOf)).toEqual(['a', '/w/a', 'b', undefined]);
  });

  it('lets a grader count a CLI harness’s successful shell calls as commands', () => {
    const call = (name: string, input: Record<string, unknown>, exitCode: number) => ({ id: name, name, input, output: '', exitCode });
    const steps: AgentStep[] = [
      { role: 'assistant', text: '', toolCalls: [call('Bash', { command: 'python3 calc.py' }, 0), call('exec_command', { cmd: 'false' }, 1), call('Write', { file_path: '/w/x' }, 0)] },
    ] as AgentStep[];
    expect(successfulCommands(steps)).toEqual(['python3 calc.py']);
  });
});
