import type { z } from 'zod';
import type { Engine } from '../engine/engine.js';

/**
 * An MCP prompt, defined once in prompts/<name>.ts and registered by the server: a named,
 * parameterised set of instructions a host offers the user (Claude Code shows each as a slash
 * command) that tells the host's agent which of our tools to call and in what order. The CLI
 * has no prompts: a terminal user runs the tools themselves.
 */
export interface PromptDefinition<A extends z.ZodObject = z.ZodObject> {
  /** snake_case, unique among prompts. */
  name: string;
  title: string;
  /** Shown beside the slash command: what the prompt does and when to use it. */
  description: string;
  /** MCP prompt arguments are strings; each field's `.describe()` is what the host shows. */
  args: A;
  /** Completions per argument, for hosts that ask while the user types. */
  complete?: Partial<Record<keyof z.output<A> & string, (engine: Engine, value: string, args: Record<string, string>) => Promise<string[]>>>;
  /** The instructions the host puts into the conversation as the user's message. */
  render(args: z.output<A>): string;
}

/** Prompts differ in their argument shapes; the registry holds them all. */
export type AnyPrompt = PromptDefinition<any>;

export function definePrompt<A extends z.ZodObject>(p: PromptDefinition<A>): PromptDefinition<A> {
  return p;
}
