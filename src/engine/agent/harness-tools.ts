/**
 * What the tools of the agent harnesses are for, by name: the bare agent's own tools and the
 * ones Claude Code, Codex, pi and opencode offer (names from spec/harness-clis.md and the
 * requests the pinned CLIs send). Anything that reads a recorded run for "a command ran" or "a
 * file was read" asks here, so a probe graded through a CLI harness sees its Bash or
 * exec_command calls as commands, not as unknown tools.
 */

/** Tool names per job, lower-case; compare with `toolKind`. */
export const HARNESS_TOOL_NAMES = {
  shell: ['execute_command', 'bash', 'shell', 'exec_command', 'shell_command', 'run_shell_command'],
  write: ['write_file', 'write', 'create_file'],
  read: ['read_file', 'read'],
} as const;

export type HarnessToolKind = keyof typeof HARNESS_TOOL_NAMES;

/** Argument names that carry a file path, in the order harnesses use them. */
export const PATH_ARGUMENTS = ['path', 'file_path', 'filePath'] as const;

export function toolKind(name: string): HarnessToolKind | undefined {
  const lower = name.toLowerCase();
  for (const kind of Object.keys(HARNESS_TOOL_NAMES) as HarnessToolKind[]) {
    if ((HARNESS_TOOL_NAMES[kind] as readonly string[]).includes(lower)) return kind;
  }
  return undefined;
}

/**
 * The command line of a shell tool call: a string (`command`, or Codex's `cmd`), or an argv
 * array, of which `bash -lc <line>` is the line and any other is its words joined.
 */
export function shellCommandOf(input: Record<string, unknown>): string | undefined {
  const value = input.command ?? input.cmd;
  if (typeof value === 'string') return value;
  if (!Array.isArray(value) || !value.every((w): w is string => typeof w === 'string')) return undefined;
  if (value.length === 3 && /^(?:ba)?sh$/.test(value[0]!) && /^-l?c$/.test(value[1]!)) return value[2];
  return value.join(' ');
}

/** The path a read or write tool call names, whatever the harness calls the argument. */
export function pathArgumentOf(input: Record<string, unknown>): string | undefined {
  for (const key of PATH_ARGUMENTS) {
    const value = input[key];
    if (typeof value === 'string') return value;
  }
  return undefined;
}
