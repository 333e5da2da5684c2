import { exposedInput, exposedOutput } from '../contract/invoke.js';
import { annotationsFor, type AnyOperation, type ToolAnnotations } from '../contract/operation.js';
import type { AnyPrompt } from '../contract/prompt.js';
import type { ResourceFamily } from '../contract/resource.js';
import { toolJsonSchema, type JsonSchema } from './tool-schema.js';

/**
 * What the server lists (tools with their JSON Schemas, resource families, prompts) as plain data, and
 * the registries behind it, loaded when a call first needs them. Listing from data lets the
 * server answer the handshake and tools/list without loading any tool module or the engine
 * (see manifest.ts); tests build a catalog straight from in-memory registries.
 */

export interface ToolListing {
  name: string;
  title: string;
  description: string;
  annotations: ToolAnnotations;
  inputSchema: JsonSchema;
  outputSchema: JsonSchema;
}

export interface FamilyListing {
  name: string;
  title: string;
  description: string;
  mimeType: string;
  uri: string;
  /** The family enumerates its resources. */
  listable: boolean;
  /** Template variables with completion. */
  completes: string[];
}

export interface PromptListing {
  name: string;
  title: string;
  description: string;
  /** JSON Schema of the arguments (the SDK lists each property as a prompt argument). */
  argsSchema: JsonSchema;
  /** Arguments with completion. */
  completes: string[];
}

export interface Listing {
  tools: ToolListing[];
  resources: FamilyListing[];
  prompts: PromptListing[];
}

export interface Registries {
  operations: readonly AnyOperation[];
  resources: readonly ResourceFamily[];
  prompts: readonly AnyPrompt[];
}

export interface Catalog {
  listing: Listing;
  /** The registries; loaded once, on first use. */
  load(): Promise<Registries>;
}

export function listRegistries({ operations, resources, prompts }: Registries): Listing {
  return {
    tools: operations.map((op) => ({
      name: op.name,
      title: op.title,
      description: op.description,
      annotations: annotationsFor(op),
      inputSchema: toolJsonSchema(exposedInput(op), 'input'),
      outputSchema: toolJsonSchema(exposedOutput(op), 'output'),
    })),
    resources: resources.map((f) => ({
      name: f.name,
      title: f.title,
      description: f.description,
      mimeType: f.mimeType,
      uri: f.uri,
      listable: f.list !== undefined,
      completes: Object.keys(f.complete ?? {}),
    })),
    prompts: prompts.map((p) => ({
      name: p.name,
      title: p.title,
      description: p.description,
      argsSchema: toolJsonSchema(p.args, 'input'),
      completes: Object.keys(p.complete ?? {}),
    })),
  };
}

/** A catalog of registries already in memory. */
export function catalogOf(registries: Registries): Catalog {
  return { listing: listRegistries(registries), load: async () => registries };
}
