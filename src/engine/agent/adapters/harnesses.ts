import type { SkillMode } from '../../skills/types.js';
import type { AdapterMode } from './types.js';

/**
 * The harnesses: the one place a harness name is spelled (spec runtime §2.1). Every other list
 * — tool schemas, config keys, doctor checks, adapters_list — is derived from it. A harness not
 * `built` is known (profiles and configs may name it) but has no adapter in this release; its
 * modes and skill delivery are the reference's (spec runtime §2.14), what its adapter will offer.
 * Data only, so anything may import it (tool schemas read it at server start-up); the adapter
 * modules are loaded through registry.ts.
 */
interface HarnessEntry {
  readonly name: string;
  readonly title: string;
  readonly modes: readonly AdapterMode[];
  readonly skillDelivery: readonly SkillMode[];
  /** The external CLI the harness drives, the variable that overrides its path, and its npm package (install hints). */
  readonly cli?: { readonly bin: string; readonly envVar?: string; readonly pkg?: string };
  /** This release has an adapter module for it (registry.ts loads it). */
  readonly built?: true;
}

export const HARNESSES = [
  { name: 'bare-agent', title: 'bare-agent (built in: the model with five sandboxed tools)', modes: ['managed'], skillDelivery: ['inject', 'discover'], built: true },
  { name: 'opencode', title: 'opencode', modes: ['managed', 'native'], skillDelivery: ['inject', 'discover'], cli: { bin: 'opencode', pkg: 'opencode-ai' }, built: true },
  { name: 'openclaw', title: 'OpenClaw', modes: ['managed', 'native'], skillDelivery: ['inject', 'discover'], cli: { bin: 'openclaw', pkg: 'openclaw' }, built: true },
  { name: 'hermes', title: 'Hermes Agent', modes: ['managed', 'native'], skillDelivery: ['inject', 'discover'], cli: { bin: 'hermes' }, built: true },
  { name: 'jiuwenclaw', title: 'JiuwenClaw', modes: ['managed'], skillDelivery: ['inject'], cli: { bin: 'jiuwenclaw-cli' }, built: true },
  { name: 'pi', title: 'pi', modes: ['managed', 'native'], skillDelivery: ['inject', 'discover'], cli: { bin: 'pi', pkg: '@mariozechner/pi-coding-agent' }, built: true },
  { name: 'claude-code', title: 'Claude Code', modes: ['managed', 'native'], skillDelivery: ['inject', 'discover'], cli: { bin: 'claude', envVar: 'SKVM_CLAUDE_CMD', pkg: '@anthropic-ai/claude-code' }, built: true },
  { name: 'codex', title: 'Codex CLI', modes: ['managed', 'native'], skillDelivery: ['inject', 'discover'], cli: { bin: 'codex', envVar: 'SKVM_CODEX_CMD', pkg: '@openai/codex' }, built: true },
] as const satisfies readonly HarnessEntry[];

export type AdapterName = (typeof HARNESSES)[number]['name'];

/** The harness an operation runs when none is named. */
export const DEFAULT_HARNESS = 'bare-agent' satisfies AdapterName;
type Built = Extract<(typeof HARNESSES)[number], { built: true }>;
export type RunnableAdapter = Built['name'];

/** Every known harness name, in registry order. */
export const ADAPTERS = HARNESSES.map((h) => h.name) as [AdapterName, ...AdapterName[]];

/** The harnesses this release can run (schemas offer only these). */
export const RUNNABLE_ADAPTERS = HARNESSES.filter((h): h is Built => 'built' in h).map((h) => h.name) as [RunnableAdapter, ...RunnableAdapter[]];

type CliEntry = Extract<(typeof HARNESSES)[number], { cli: unknown }>;
export type CliHarness = CliEntry['name'];

/** The harnesses that drive an external CLI (config `adapters.<name>` may point at it). */
export const CLI_HARNESSES = HARNESSES.filter((h): h is CliEntry => 'cli' in h).map((h) => h.name) as [CliHarness, ...CliHarness[]];

export function harnessEntry(name: string): HarnessEntry | undefined {
  return (HARNESSES as readonly HarnessEntry[]).find((h) => h.name === name);
}

export function isKnownAdapter(name: string): name is AdapterName {
  return harnessEntry(name) !== undefined;
}

export function isRunnableAdapter(name: string): name is RunnableAdapter {
  return harnessEntry(name)?.built === true;
}
