/**
 * The `skvm` exit codes, documented in `skvm --help` and the README. `notPassed` lets a script
 * tell a result that ran but fell short (a task that did not pass every criterion, a doctor check that
 * failed) from an operation that could not do its job.
 */
export const EXIT = { ok: 0, failed: 1, usage: 2, notPassed: 3 } as const;

export const EXIT_CODES_HELP = 'Exit codes: 0 ok, 1 the operation failed, 2 bad usage, 3 it ran but did not pass (a task that did not pass every criterion or ran out of time, a failed doctor check).';
