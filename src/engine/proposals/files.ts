import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import { readConfinedText } from '../sandbox/index.js';
import { closestMatches } from '../util/closest.js';
import { NotFoundError, UsageError } from '../util/errors.js';
import { roundDirName } from './paths.js';
import { isPlainRelPath, readTree } from './tree.js';

/** Largest round file served as a resource. */
export const MAX_ROUND_FILE_BYTES = 256 * 1024;

/** A text file of `round-<n>/`, confined to that folder (no symlink followed), size-capped. */
export async function readRoundFile(proposalDir: string, id: string, round: number, rel: string): Promise<{ path: string; text: string }> {
  if (!isPlainRelPath(rel)) throw new UsageError(`"${rel}" is not a file path inside a round.`, 'Use a path relative to the round folder, such as SKILL.md.');
  const dir = path.join(proposalDir, roundDirName(round));
  const tree = await readTree(dir);
  if (!tree.files.has(rel)) {
    throw new NotFoundError(`file of round ${round} of ${id}`, rel, closestMatches(rel, tree.files.keys()), 'The proposal resource lists each round’s files.');
  }
  const { text } = await readConfinedText(await fsp.realpath(dir), rel, MAX_ROUND_FILE_BYTES, rel, `round ${round} of ${id}`);
  return { path: rel, text };
}

/** The files of each round folder on disk (sorted), for listing and completion. */
export async function roundFiles(proposalDir: string, round: number): Promise<string[]> {
  return [...(await readTree(path.join(proposalDir, roundDirName(round)))).files.keys()];
}
