import { generatorByLevel, probeRng } from '../toolkit.js';
import { ID } from './reason.analysis/common.js';
import { l1Case, level1, type L1Case } from './reason.analysis/level1.js';
import { analysisL2Case, level2, type AnalysisL2Case } from './reason.analysis/level2.js';
import { analysisL3Case, level3, type AnalysisL3Case } from './reason.analysis/level3.js';

/**
 * reason.analysis — reading code (text pattern: the answer is the agent's final text). All
 * code is generated: families of functions with drawn names, constants, inputs and bugs, so no
 * fixed snippet pool can be memorised.
 *  L1  a short Python or JavaScript function: pick the matching description among four (the
 *      distractors are close variants: ≥ vs >, index vs value, left vs right…) and state what a
 *      given call returns. Near-miss: the closest distractor and the value it would give.
 *  L2  a Python module (in the work dir) with three documented functions, one of which has a
 *      single wrong line (off-by-one range, wrong divisor, inverted comparison…): name that line.
 *      Near-miss: the neighbouring line.
 *  L3  a small multi-file Python program (entry point, loader, records, filter, config,
 *      helpers, stats, report) and the traceback it prints: name the file and line of the root
 *      cause, which is never the line that raises (a wrong delimiter, a missing conversion, a
 *      typo'd status, a helper returning the wrong thing…). Near-miss: the raising line, or the
 *      right file one line off.
 */

export const generator = generatorByLevel(ID, {
  L1: 'A generated short Python/JavaScript function: choose the matching description among close variants and give the return value of a call.',
  L2: 'A generated three-function Python module with one wrong line (off-by-one, wrong divisor, inverted test…): give its line number.',
  L3: 'A generated multi-file Python program and its traceback: name the file:line of the root cause, which is not where the exception is raised.',
}, { L1: level1, L2: level2, L3: level3 });

/** For tests: the L1 case behind an instance (same draws as generate). */
export function analysisL1CaseFor(seed: number): L1Case {
  return l1Case(probeRng(`${ID}:L1:${seed}`));
}
export function analysisL2CaseFor(seed: number): AnalysisL2Case {
  return analysisL2Case(probeRng(`${ID}:L2:${seed}`));
}
export function analysisL3CaseFor(seed: number): AnalysisL3Case {
  return analysisL3Case(probeRng(`${ID}:L3:${seed}`));
}
