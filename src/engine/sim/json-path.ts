import type { z } from 'zod';

/** `['replies', 2, 'fault']` → `$.replies[2].fault`, the form every simulator error names a field by. */
export function jsonPath(path: ReadonlyArray<PropertyKey>): string {
  let out = '$';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else if (typeof key === 'string' && /^[A-Za-z_$][\w$]*$/.test(key)) out += `.${key}`;
    else out += `[${JSON.stringify(String(key))}]`;
  }
  return out;
}

/** One line per issue, each starting with its JSON path, so a user can find the bad field. */
export function describeZodIssues(error: z.ZodError, prefix: ReadonlyArray<PropertyKey> = []): string {
  return error.issues.map((issue) => `${jsonPath([...prefix, ...issue.path])}: ${issue.message}`).join('; ');
}
