/**
 * Package names as the installers accept them. A pip dependency may carry a version
 * (`pandas>=2`, `requests[socks]==2.31.0`): it is kept and checked as a PEP 508 requirement
 * restricted to name, extras and version specifiers — no URLs, no environment markers, nothing a
 * shell would read as more than one word once quoted.
 */

export interface PipRequirement {
  /** Distribution name as written (`PyYAML`). */
  name: string;
  extras: string[];
  /** Version specifiers joined by commas, no spaces (`>=2,<3`); empty when unpinned. */
  specifier: string;
}

const PIP_NAME = /^[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?$/;
const PIP_VERSION_CLAUSE = /^(~=|===|==|!=|<=|>=|<|>)\s*([A-Za-z0-9.*+!_-]+)$/;

/** Parses `name[extra,…] <op> version, …`; undefined when it is not such a requirement. */
export function parsePipRequirement(text: string): PipRequirement | undefined {
  const m = /^\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*(?:\[([^\]]*)\])?\s*(.*?)\s*$/.exec(text);
  if (!m || !PIP_NAME.test(m[1]!)) return undefined;
  const extras = m[2] === undefined ? [] : m[2].split(',').map((e) => e.trim());
  if (extras.some((e) => !PIP_NAME.test(e))) return undefined;
  const rest = m[3]!;
  const clauses: string[] = [];
  if (rest !== '') {
    for (const clause of rest.split(',')) {
      const c = PIP_VERSION_CLAUSE.exec(clause.trim());
      if (!c) return undefined;
      clauses.push(`${c[1]}${c[2]}`);
    }
  }
  return { name: m[1]!, extras, specifier: clauses.join(',') };
}

/** The requirement written back in canonical form (`pandas>=2`, `requests[socks]==2.31.0`). */
export function formatPipRequirement(r: PipRequirement): string {
  return `${r.name}${r.extras.length ? `[${r.extras.join(',')}]` : ''}${r.specifier}`;
}

/** PEP 503 normalised name, for comparing distributions (`PyYAML` = `pyyaml`, `foo_bar` = `foo-bar`). */
export function normalizePipName(name: string): string {
  return name.toLowerCase().replace(/[-_.]+/g, '-');
}

const NPM_NAME = /^(?:@[a-z0-9-~][a-z0-9-._~]*\/)?[a-z0-9-~][a-z0-9-._~]*$/;
const NPM_RANGE = /^[A-Za-z0-9.^~*<>=| -]+$/;

/** An npm package, optionally `name@range`; undefined when invalid. */
export function parseNpmSpec(text: string): { name: string; range: string } | undefined {
  const t = text.trim();
  const at = t.indexOf('@', 1);
  const name = at === -1 ? t : t.slice(0, at);
  const range = at === -1 ? '' : t.slice(at + 1).trim();
  if (!NPM_NAME.test(name) || (at !== -1 && !NPM_RANGE.test(range))) return undefined;
  return { name, range };
}

/** System packages and command names: one word of the characters package managers use. */
export const SYSTEM_NAME = /^[A-Za-z0-9][A-Za-z0-9._+-]*$/;
/** A service is only named (never installed): same characters. */
export const SERVICE_NAME = SYSTEM_NAME;
