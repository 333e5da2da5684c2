import { spawn } from 'node:child_process';
import { SAFE_PATH } from '../../../sandbox/index.js';
import type { DependencyEntry } from '../../types.js';
import { parseNpmSpec, parsePipRequirement } from './requirement.js';

/**
 * Checks a script passes before anything runs it: it parses (`bash -n`), it refreshes or
 * upgrades no package repository, and it mentions every dependency it was written for.
 */

const SYNTAX_TIMEOUT_MS = 10_000;

export interface SyntaxResult {
  ok: boolean;
  /** bash's complaint when it does not parse. */
  error?: string;
}

/**
 * `bash -n`: reads and parses the script from stdin and executes nothing, so it runs as a plain
 * child process, not in the sandbox — and so it also works where no sandbox is available. Its
 * environment is only PATH: parsing needs nothing else, and no host variable should reach it.
 */
export function checkSyntax(script: string, signal?: AbortSignal): Promise<SyntaxResult> {
  return new Promise((resolve, reject) => {
    const child = spawn('bash', ['--norc', '--noprofile', '-n'], { env: { PATH: SAFE_PATH.join(':') }, stdio: ['pipe', 'ignore', 'pipe'], timeout: SYNTAX_TIMEOUT_MS, ...(signal ? { signal } : {}) });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d.slice(0, 8192)));
    child.stdin.on('error', () => undefined); // bash may exit before reading everything
    child.stdin.end(script);
    child.once('error', reject);
    child.once('close', (code) => resolve(code === 0 ? { ok: true } : { ok: false, error: stderr.trim() || `bash -n exited with ${code}` }));
  });
}

const REPO_REFRESH = /\b(?:apt-get|apt|aptitude|yum|dnf|zypper|apk|brew|choco|winget|port)\s+(?:-\S+\s+)*(?:update|upgrade|dist-upgrade|full-upgrade|refresh)\b|\bpacman\s+-S\w*[yu]/i;

/** Lines (1-based, with their text) that refresh or upgrade a package repository; comments ignored. */
export function policyViolations(script: string): string[] {
  const out: string[] = [];
  script.split('\n').forEach((line, i) => {
    const code = line.replace(/(^|\s)#.*$/, '');
    if (REPO_REFRESH.test(code)) out.push(`line ${i + 1}: ${line.trim()}`);
  });
  return out;
}

/** Dependencies the script never names (the model dropped their block). */
export function uncoveredDependencies(script: string, deps: readonly DependencyEntry[]): string[] {
  const bare = (d: DependencyEntry) => (d.type === 'pip' ? parsePipRequirement(d.name)?.name : d.type === 'npm' ? parseNpmSpec(d.name)?.name : undefined) ?? d.name;
  const lower = script.toLowerCase();
  return deps.filter((d) => !lower.includes(bare(d).toLowerCase())).map((d) => d.name);
}

/** Everything wrong with a script before it runs, as lines for the report and the repair prompt. */
export async function staticProblems(script: string, deps: readonly DependencyEntry[], signal?: AbortSignal): Promise<{ syntax: SyntaxResult; problems: string[] }> {
  const syntax = await checkSyntax(script, signal);
  const problems: string[] = [];
  if (!syntax.ok) problems.push(`bash -n: the script does not parse:\n${syntax.error}`);
  const refresh = policyViolations(script);
  if (refresh.length) problems.push(`Policy violation: the script refreshes or upgrades package repositories, which is not allowed:\n${refresh.join('\n')}`);
  const missing = uncoveredDependencies(script, deps);
  if (missing.length) problems.push(`The script has no block for: ${missing.join(', ')}`);
  return { syntax, problems };
}
