import type { ProbeGenerator } from '../types.js';

/**
 * Every probe generator's module, in catalog order (the order profiles are run and written in),
 * each loaded on demand: a profile loads a primitive's generator when its first probe is set up,
 * so its first requests wait for one generator's code, not 26 (~15 ms of start-up). One per
 * primitive; a test checks this list against the catalog and each module's primitive id.
 */
export const GENERATOR_MODULES: ReadonlyArray<readonly [primitiveId: string, load: () => Promise<{ generator: ProbeGenerator }>]> = [
  ['gen.code.python', () => import('./gen.code.python.js')],
  ['gen.code.javascript', () => import('./gen.code.javascript.js')],
  ['gen.code.shell', () => import('./gen.code.shell.js')],
  ['gen.code.sql', () => import('./gen.code.sql.js')],
  ['gen.code.html', () => import('./gen.code.html.js')],
  ['gen.text.structured', () => import('./gen.text.structured.js')],
  ['gen.text.long', () => import('./gen.text.long.js')],
  ['gen.text.prose', () => import('./gen.text.prose.js')],
  ['gen.regex', () => import('./gen.regex.js')],
  ['reason.arithmetic', () => import('./reason.arithmetic.js')],
  ['reason.logic', () => import('./reason.logic.js')],
  ['reason.spatial', () => import('./reason.spatial.js')],
  ['reason.planning', () => import('./reason.planning.js')],
  ['reason.analysis', () => import('./reason.analysis.js')],
  ['tool.file.read', () => import('./tool.file.read.js')],
  ['tool.file.write', () => import('./tool.file.write.js')],
  ['tool.exec', () => import('./tool.exec.js')],
  ['tool.call.format', () => import('./tool.call.format.js')],
  ['tool.call.batch', () => import('./tool.call.batch.js')],
  ['tool.web', () => import('./tool.web.js')],
  ['tool.browser', () => import('./tool.browser.js')],
  ['follow.format', () => import('./follow.format.js')],
  ['follow.constraint', () => import('./follow.constraint.js')],
  ['follow.procedure', () => import('./follow.procedure.js')],
  ['follow.delegation', () => import('./follow.delegation.js')],
  ['follow.style', () => import('./follow.style.js')],
];
