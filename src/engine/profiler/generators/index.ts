import type { ProbeGenerator } from '../types.js';
import { generator as genCodePython } from './gen.code.python.js';
import { generator as genCodeJavascript } from './gen.code.javascript.js';
import { generator as genCodeShell } from './gen.code.shell.js';
import { generator as genCodeSql } from './gen.code.sql.js';
import { generator as genCodeHtml } from './gen.code.html.js';
import { generator as genTextStructured } from './gen.text.structured.js';
import { generator as genTextLong } from './gen.text.long.js';
import { generator as genTextProse } from './gen.text.prose.js';
import { generator as genRegex } from './gen.regex.js';
import { generator as reasonArithmetic } from './reason.arithmetic.js';
import { generator as reasonLogic } from './reason.logic.js';
import { generator as reasonSpatial } from './reason.spatial.js';
import { generator as reasonPlanning } from './reason.planning.js';
import { generator as reasonAnalysis } from './reason.analysis.js';
import { generator as toolFileRead } from './tool.file.read.js';
import { generator as toolFileWrite } from './tool.file.write.js';
import { generator as toolExec } from './tool.exec.js';
import { generator as toolCallFormat } from './tool.call.format.js';
import { generator as toolCallBatch } from './tool.call.batch.js';
import { generator as toolWeb } from './tool.web.js';
import { generator as toolBrowser } from './tool.browser.js';
import { generator as followFormat } from './follow.format.js';
import { generator as followConstraint } from './follow.constraint.js';
import { generator as followProcedure } from './follow.procedure.js';
import { generator as followDelegation } from './follow.delegation.js';
import { generator as followStyle } from './follow.style.js';

/**
 * Every probe generator, in catalog order (the order profiles are run and written in). One per
 * primitive; a test checks this list against the catalog.
 */
export const GENERATORS: readonly ProbeGenerator[] = [genCodePython, genCodeJavascript, genCodeShell, genCodeSql, genCodeHtml, genTextStructured, genTextLong, genTextProse, genRegex, reasonArithmetic, reasonLogic, reasonSpatial, reasonPlanning, reasonAnalysis, toolFileRead, toolFileWrite, toolExec, toolCallFormat, toolCallBatch, toolWeb, toolBrowser, followFormat, followConstraint, followProcedure, followDelegation, followStyle];

const byId = new Map(GENERATORS.map((g) => [g.primitiveId, g]));

export function generatorFor(primitiveId: string): ProbeGenerator | undefined {
  return byId.get(primitiveId);
}
