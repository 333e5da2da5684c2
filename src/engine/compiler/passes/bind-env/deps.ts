import { z } from 'zod';
import type { DependencyEntry } from '../../types.js';
import type { ImportHint } from './import-scan.js';
import { commandsFor, type InstallPolicy } from './install-policy.js';
import { PYTHON_PACKAGE_FOR_MODULE } from './package-map.js';
import { formatPipRequirement, normalizePipName, parseNpmSpec, parsePipRequirement, SERVICE_NAME, SYSTEM_NAME } from './requirement.js';
import { isStdlibModule } from './stdlib.js';

/**
 * From the model's dependency list to the final one (spec §4.8.1 post-processing, with its
 * defects fixed): defaults, sanitise, merge the import scan, dedupe, then commands from the
 * install policy. Pure.
 */

const SOURCES = ['python-import', 'shell-command', 'comment', 'inferred', 'model'] as const;

/** What we ask the model for: no install commands (the policy writes those). */
export const ModelDependencySchema = z.object({
  name: z.string().describe('Package name as its installer knows it; a pip name may carry a version specifier, e.g. "pandas>=2"'),
  type: z.enum(['pip', 'npm', 'system', 'service']),
  command: z.string().optional().describe('system only: the executable the package provides, when it differs from the package name (poppler-utils → pdftotext)'),
  checkCommand: z.string().optional().describe('service only: a shell command that exits 0 when the service is reachable'),
  required: z.boolean().describe('false when the skill works without it'),
  source: z.enum(SOURCES).optional().describe('where the evidence came from'),
  confidence: z.number().min(0).max(1).optional(),
  pythonModules: z.array(z.string()).optional().describe('pip only: the import names it provides'),
});
export const ModelDependenciesSchema = z.object({ dependencies: z.array(ModelDependencySchema) });
export type ModelDependency = z.output<typeof ModelDependencySchema>;

/** A dependency after sanitising, before commands. */
export interface Need {
  type: DependencyEntry['type'];
  /** Canonical name; for pip the whole requirement (`pandas>=2`). */
  name: string;
  command?: string;
  serviceCheck?: string;
  required: boolean;
  source: DependencyEntry['source'];
  confidence: number;
  pythonModules?: string[];
}

export interface Dropped {
  name: string;
  reason: string;
}

const DOTTED = /^[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*$/;

/** Identity of a dependency for deduplication: type plus the installer's notion of "same name". */
export function dedupeKey(n: Pick<Need, 'type' | 'name'>): string {
  if (n.type === 'pip') return `pip:${normalizePipName(parsePipRequirement(n.name)?.name ?? n.name)}`;
  if (n.type === 'npm') return `npm:${(parseNpmSpec(n.name)?.name ?? n.name).toLowerCase()}`;
  return `${n.type}:${n.name.toLowerCase()}`;
}

function modulesOf(list: readonly string[] | undefined): string[] {
  return [...new Set((list ?? []).map((m) => m.trim()).filter((m) => DOTTED.test(m)))];
}

/**
 * One model entry checked against its installer's naming rules; a pip name that is really an
 * import name (`yaml`, `cv2`) becomes its package (`PyYAML`, `opencv-python`), version kept.
 */
export interface ScanSeen {
  modules: ReadonlySet<string>;
  /** PEP 503 normalised package names. */
  packages: ReadonlySet<string>;
}

export function sanitizeOne(d: ModelDependency, seen: ScanSeen): Need | Dropped {
  const name = d.name.trim();
  const base = { required: d.required, source: d.source ?? 'model', confidence: d.confidence ?? 0.7 } as const;
  switch (d.type) {
    case 'pip': {
      const req = parsePipRequirement(name);
      if (!req) return { name, reason: 'not a valid pip requirement' };
      const modules = modulesOf(d.pythonModules);
      const mapped = PYTHON_PACKAGE_FOR_MODULE[req.name];
      if (mapped && normalizePipName(mapped) !== normalizePipName(req.name)) {
        if (!modules.includes(req.name)) modules.push(req.name);
        req.name = mapped;
      }
      if (isStdlibModule(req.name) && !mapped) return { name, reason: 'Python standard library' };
      if (base.source === 'python-import' && base.confidence < 0.9 && !modules.some((m) => seen.modules.has(m)) && !seen.packages.has(normalizePipName(req.name))) {
        return { name, reason: 'claimed as a Python import, but no such import was found' };
      }
      return { type: 'pip', name: formatPipRequirement(req), ...base, ...(modules.length ? { pythonModules: modules } : {}) };
    }
    case 'npm': {
      const spec = parseNpmSpec(name);
      if (!spec) return { name, reason: 'not a valid npm package name' };
      return { type: 'npm', name: spec.range ? `${spec.name}@${spec.range}` : spec.name, ...base };
    }
    case 'system': {
      if (!SYSTEM_NAME.test(name)) return { name, reason: 'not a valid system package name' };
      const command = d.command?.trim();
      return { type: 'system', name, ...base, ...(command && SYSTEM_NAME.test(command) && command !== name ? { command } : {}) };
    }
    case 'service': {
      if (!SERVICE_NAME.test(name)) return { name, reason: 'not a valid service name' };
      const check = d.checkCommand?.trim();
      return { type: 'service', name, ...base, ...(check ? { serviceCheck: check } : {}) };
    }
  }
}

/** Adds a pip dependency for each scanned import no entry covers; records modules on those that do. */
export function mergeHints(needs: Need[], hints: readonly ImportHint[]): Need[] {
  const out = needs.map((n) => ({ ...n }));
  for (const h of hints) {
    const key = dedupeKey({ type: 'pip', name: h.package });
    const covering = out.find((n) => n.type === 'pip' && (dedupeKey(n) === key || n.pythonModules?.some((m) => h.modules.includes(m))));
    if (covering) {
      covering.pythonModules = [...new Set([...(covering.pythonModules ?? []), ...h.modules])];
      if (covering.source === 'model') covering.source = 'python-import';
      continue;
    }
    out.push({ type: 'pip', name: h.package, required: true, source: 'python-import', confidence: h.known ? 0.8 : 0.6, pythonModules: [...h.modules] });
  }
  return out;
}

/**
 * One entry per dependency: the first wins; later duplicates contribute a version the first
 * lacks, a system command or service check it lacks, `required` (OR), a source better than
 * "model", the higher confidence and their modules.
 */
export function dedupe(needs: readonly Need[]): Need[] {
  const byKey = new Map<string, Need>();
  for (const n of needs) {
    const key = dedupeKey(n);
    const first = byKey.get(key);
    if (!first) {
      byKey.set(key, { ...n });
      continue;
    }
    if (first.type === 'pip' && !/[<>=!~]/.test(first.name) && /[<>=!~]/.test(n.name)) first.name = n.name;
    if (first.type === 'npm' && !first.name.includes('@', 1) && n.name.includes('@', 1)) first.name = n.name;
    if (first.command === undefined && n.command !== undefined) first.command = n.command;
    if (first.serviceCheck === undefined && n.serviceCheck !== undefined) first.serviceCheck = n.serviceCheck;
    first.required ||= n.required;
    if (first.source === 'model') first.source = n.source;
    first.confidence = Math.max(first.confidence, n.confidence);
    if (n.pythonModules?.length) first.pythonModules = [...new Set([...(first.pythonModules ?? []), ...n.pythonModules])];
  }
  return [...byKey.values()];
}

export interface ResolvedDependencies {
  deps: DependencyEntry[];
  dropped: Dropped[];
}

/** The whole post-processing chain, ending in entries whose commands come from the policy. */
export function resolveDependencies(model: readonly ModelDependency[], hints: readonly ImportHint[], policy: InstallPolicy): ResolvedDependencies {
  const seen: ScanSeen = { modules: new Set(hints.flatMap((h) => h.modules)), packages: new Set(hints.map((h) => normalizePipName(h.package))) };
  const needs: Need[] = [];
  const dropped: Dropped[] = [];
  for (const d of model) {
    const r = sanitizeOne(d, seen);
    if ('reason' in r) dropped.push(r);
    else needs.push(r);
  }
  const deps = dedupe(mergeHints(needs, hints)).map((n): DependencyEntry => {
    const cmds = commandsFor(n, policy);
    return {
      name: n.name,
      type: n.type,
      checkCommand: cmds.checkCommand,
      ...(cmds.installCommand ? { installCommand: cmds.installCommand } : {}),
      required: n.required,
      source: n.source,
      confidence: n.confidence,
      ...(n.pythonModules?.length ? { pythonModules: n.pythonModules } : {}),
    };
  });
  return { deps, dropped };
}
