import { describe, expect, it } from 'vitest';
import type { AgentStep } from '../../agent/types.js';
import { scriptRan } from './code-check.js';

const shell = (name: string, input: Record<string, unknown>, exitCode = 0): AgentStep => ({ role: 'assistant', timestamp: 0, toolCalls: [{ id: 'c', name, input, exitCode }] });

describe('scriptRan', () => {
  it('counts a run of the script through any harness shell, as a string or an argv', () => {
    expect(scriptRan([shell('execute_command', { command: 'python3 summarize.py > summary.txt' })], 'summarize.py')).toBe(true);
    expect(scriptRan([shell('Bash', { command: 'cd /w && ./summarize.py' })], 'summarize.py')).toBe(true);
    expect(scriptRan([shell('shell', { command: ['bash', '-lc', 'python -u summarize.py'] })], 'summarize.py')).toBe(true);
  });

  it('does not count writing the script through the shell (all Codex has), a failed run, or another script', () => {
    const write = "mkdir -p -- /w && printf '%s' 'import csv' > /w/summarize.py";
    expect(scriptRan([shell('shell', { command: ['bash', '-lc', write] })], 'summarize.py')).toBe(false);
    expect(scriptRan([shell('Bash', { command: 'cat > summarize.py <<EOF\nprint(1)\nEOF' })], 'summarize.py')).toBe(false);
    expect(scriptRan([shell('Bash', { command: 'python3 summarize.py' }, 1)], 'summarize.py')).toBe(false);
    expect(scriptRan([shell('Bash', { command: 'python3 summarize.py.bak' })], 'summarize.py')).toBe(false);
  });
});
