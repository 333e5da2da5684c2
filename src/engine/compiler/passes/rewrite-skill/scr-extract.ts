import { extractStructured } from '../../../llm/structured.js';
import type { ChatProvider } from '../../../llm/types.js';
import { allPrimitives, isPrimitiveId } from '../../../primitives/catalog.js';
import { ScrSchema, type SCR, type ScrPath } from '../../types.js';
import { fenced } from './text.js';

/**
 * SCR extraction (spec §4.7.1): one structured call that decomposes the skill into purposes and
 * the primitive capabilities (with levels) each purpose needs. Unlike the reference, primitive
 * ids are checked against the catalog: an answer naming unknown ids is sent back once with those
 * ids and the allowed list; ids still unknown after that are dropped (and reported), never turned
 * into gaps.
 */

export interface ScrExtraction {
  scr: SCR;
  /** Unknown ids dropped after the re-ask (sorted, unique). */
  droppedIds: string[];
  /** Unknown ids the first answer named (what triggered the re-ask). */
  reaskedIds: string[];
}

export interface ScrRequest {
  llm: ChatProvider;
  model: string;
  skillName: string;
  skillContent: string;
  signal: AbortSignal;
}

const SYSTEM =
  'You analyse agent skills for a compiler. You state which primitive capabilities a skill demands of the model that follows it, ' +
  'and at what level, using only the primitive ids you are given. Be exact: a level is justified by what the text asks for, not by what would be nice.';

const NAME = 'skill_requirements';
const DESCRIPTION = 'The capability requirements of the skill: its purposes and the primitives (with minimum levels) each one needs.';

export async function extractScr(req: ScrRequest): Promise<ScrExtraction> {
  const prompt = scrPrompt(req.skillName, req.skillContent);
  const ask = async (text: string) =>
    (await extractStructured(req.llm, { model: req.model, schema: ScrSchema, name: NAME, description: DESCRIPTION, system: SYSTEM, prompt: text }, { signal: req.signal }))
      .value;

  const first = normalizeIds(await ask(prompt));
  const reaskedIds = unknownIds(first);
  if (reaskedIds.length === 0) return { scr: first, droppedIds: [], reaskedIds };

  const second = normalizeIds(await ask(reaskPrompt(prompt, first, reaskedIds)));
  const droppedIds = unknownIds(second);
  return { scr: droppedIds.length ? dropUnknown(second) : second, droppedIds, reaskedIds };
}

export function scrPrompt(skillName: string, skillContent: string): string {
  const catalog = allPrimitives().map((p) => `- ${p.id} (${p.description}). L1: ${p.levels.L1} L2: ${p.levels.L2} L3: ${p.levels.L3}`);
  return [
    `Read the skill "${skillName}" below and list what it demands of the model that will follow it.`,
    '',
    '1. Split the skill into purposes: the distinct goals it pursues (give each a short kebab-case id such as `parse-input`, and one sentence saying what it achieves).',
    '2. For each purpose, the current path: the primitives the skill, as written, makes the model exercise, each with the lowest level (L1, L2 or L3) that is enough, and as evidence a short quote or close paraphrase of the text that demands it.',
    '3. Where the skill itself allows another way to reach the same goal (or an obvious simpler way exists that the skill would accept), add it as an alternative path with its primitives and a note saying how it reaches the goal. Leave alternativePaths empty otherwise.',
    '',
    'Use only these primitive ids (exact spelling). Levels are cumulative: L2 includes L1.',
    ...catalog,
    '',
    'Do not list a primitive the skill does not really exercise; do not raise a level beyond what the text asks for.',
    '',
    '## The skill',
    fenced(skillContent, 'markdown'),
  ].join('\n');
}

function reaskPrompt(prompt: string, previous: SCR, unknown: string[]): string {
  return [
    prompt,
    '',
    '## Correction needed',
    `A previous answer used primitive ids that are not in the list: ${unknown.join(', ')}.`,
    `Allowed ids: ${allPrimitives()
      .map((p) => p.id)
      .join(', ')}.`,
    'Give the complete answer again, replacing each of those ids with the allowed id that fits (or removing it when none does). The previous answer was:',
    fenced(JSON.stringify(previous, null, 2), 'json'),
  ].join('\n');
}

/** Every path of every purpose: the current one, then the alternatives. */
function allPaths(scr: SCR): ScrPath[] {
  return scr.purposes.flatMap((p) => [p.currentPath, ...p.alternativePaths]);
}

/** Surrounding spaces are a formatting slip, not an unknown id. */
function normalizeIds(scr: SCR): SCR {
  for (const path of allPaths(scr)) for (const prim of path.primitives) prim.id = prim.id.trim();
  return scr;
}

export function unknownIds(scr: SCR): string[] {
  const out = new Set<string>();
  for (const path of allPaths(scr)) for (const prim of path.primitives) if (!isPrimitiveId(prim.id)) out.add(prim.id);
  return [...out].sort();
}

function dropUnknown(scr: SCR): SCR {
  for (const path of allPaths(scr)) path.primitives = path.primitives.filter((p) => isPrimitiveId(p.id));
  return scr;
}
