import { shellQuote } from '../../../util/shell.js';
import type { Platform } from './platform.js';
import { parseNpmSpec, parsePipRequirement } from './requirement.js';

/**
 * How each kind of dependency is checked and installed on a platform (spec §4.8.3). Pure. The
 * commands come from here only: a model's install command never replaces them for pip, npm or
 * system packages (we do not even ask the model for one), so a skill cannot smuggle a
 * `curl … | sh` into the script through its dependency list. Services are checked, never installed.
 */

export type SystemManager = 'brew' | 'apt-get' | 'dnf' | 'yum' | 'winget' | 'choco';

export interface InstallPolicy {
  python: string;
  /** Package manager for system packages, or null when none is available. */
  systemManager: SystemManager | null;
  /** Prefix for system installs when not root and sudo exists (`sudo -n`: never prompts). */
  sudo: boolean;
  /** Advice the script generator passes on to the model. */
  notes: string[];
}

const MANAGER_ORDER: Record<Platform['os'], SystemManager[]> = {
  macos: ['brew'],
  windows: ['winget', 'choco'],
  linux: ['apt-get', 'dnf', 'yum', 'brew'],
};

export function installPolicy(p: Platform): InstallPolicy {
  const systemManager = MANAGER_ORDER[p.os].find((m) => p.packageManagers.includes(m)) ?? null;
  const sudo = !p.isRoot && p.os !== 'windows' && systemManager !== 'brew' && systemManager !== null && p.packageManagers.includes('sudo');
  const notes: string[] = [];
  if (p.python.venvActive) notes.push('A Python virtual environment is active: pip installs go into it.');
  else if (p.python.condaActive) notes.push('A conda environment is active: pip installs go into it.');
  else notes.push(`No virtual environment is active: pip uses ${p.python.command}'s environment, which may refuse installs (PEP 668) or fall back to a user install.`);
  if (!systemManager) notes.push('No supported system package manager was found: system packages cannot be installed, only checked.');
  return { python: p.python.command, systemManager, sudo, notes };
}

export interface DependencyCommands {
  checkCommand: string;
  installCommand?: string;
}

/** A pip check: presence for a bare name; the installed version against the specifier when pinned. */
function pipCheck(policy: InstallPolicy, requirement: string): string {
  const r = parsePipRequirement(requirement);
  if (!r || r.specifier === '') return `${policy.python} -m pip show ${shellQuote(r?.name ?? requirement)}`;
  // pip ships `packaging`; using its vendored copy needs nothing pip itself does not have.
  const program = 'import sys, importlib.metadata as m; from pip._vendor.packaging.requirements import Requirement; r = Requirement(sys.argv[1]); sys.exit(0 if r.specifier.contains(m.version(r.name), prereleases=True) else 1)';
  return `${policy.python} -c ${shellQuote(program)} ${shellQuote(requirement)}`;
}

function systemInstall(policy: InstallPolicy, pkg: string): string {
  const q = shellQuote(pkg);
  const sudo = policy.sudo ? 'sudo -n ' : '';
  switch (policy.systemManager) {
    case 'brew':
      return `brew install ${q}`;
    case 'apt-get':
      return `${sudo}apt-get install -y ${q}`;
    case 'dnf':
      return `${sudo}dnf install -y ${q}`;
    case 'yum':
      return `${sudo}yum install -y ${q}`;
    case 'winget':
      return `winget install --id ${q} -e`;
    case 'choco':
      return `choco install -y ${q}`;
    case null:
      return `{ echo ${shellQuote(`No supported system package manager found for ${pkg}`)} >&2; false; }`;
  }
}

export interface PolicyInput {
  type: 'pip' | 'npm' | 'system' | 'service';
  /** Canonical name (a pip requirement may carry its version: `pandas>=2`). */
  name: string;
  /** system: the executable the package provides, when it differs from the package name. */
  command?: string;
  /** service: the model's reachability check (services are never installed). */
  serviceCheck?: string;
}

export function commandsFor(dep: PolicyInput, policy: InstallPolicy): DependencyCommands {
  switch (dep.type) {
    case 'pip':
      return { checkCommand: pipCheck(policy, dep.name), installCommand: `${policy.python} -m pip install ${shellQuote(dep.name)}` };
    case 'npm': {
      const bare = parseNpmSpec(dep.name)?.name ?? dep.name;
      return { checkCommand: `npm list -g --depth=0 ${shellQuote(bare)}`, installCommand: `npm install -g ${shellQuote(dep.name)}` };
    }
    case 'system':
      return { checkCommand: `command -v ${shellQuote(dep.command ?? dep.name)}`, installCommand: systemInstall(policy, dep.name) };
    case 'service':
      return { checkCommand: dep.serviceCheck ?? `command -v ${shellQuote(dep.name)}` };
  }
}
