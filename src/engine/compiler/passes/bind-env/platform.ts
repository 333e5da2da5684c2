import { which } from '../../../util/which.js';

/**
 * The machine the env-setup script is written for (spec §4.8.2). Package managers are found by a
 * PATH lookup (`which`), not by `bash -lc "command -v …"` as the reference does: a login shell
 * runs the user's profile scripts, which a detection step has no business executing.
 */

export type OsName = 'linux' | 'macos' | 'windows';

/** Package managers we look for, by the executable's name. */
export const KNOWN_MANAGERS = ['brew', 'apt-get', 'dnf', 'yum', 'winget', 'choco', 'pip', 'pip3', 'npm', 'sudo'] as const;
export type ManagerName = (typeof KNOWN_MANAGERS)[number];

export interface Platform {
  os: OsName;
  arch: string;
  /** Which of KNOWN_MANAGERS are on PATH (in KNOWN_MANAGERS order). */
  packageManagers: ManagerName[];
  python: {
    /** Interpreter the script should call: `python` inside a venv/conda env, else `python3` when present. */
    command: 'python' | 'python3';
    condaActive: boolean;
    venvActive: boolean;
  };
  /** Whether installs run as root (no sudo needed). */
  isRoot: boolean;
}

export interface PlatformProbe {
  platform: NodeJS.Platform;
  arch: string;
  env: NodeJS.ProcessEnv;
  /** Whether an executable is on PATH. */
  has(cmd: string): boolean;
  uid: number | undefined;
}

export function osName(p: NodeJS.Platform): OsName {
  return p === 'darwin' ? 'macos' : p === 'win32' ? 'windows' : 'linux';
}

/** Pure: the platform a probe describes. */
export function describePlatform(probe: PlatformProbe): Platform {
  const condaActive = Boolean(probe.env.CONDA_DEFAULT_ENV);
  const venvActive = Boolean(probe.env.VIRTUAL_ENV);
  const command = condaActive || venvActive || !probe.has('python3') ? 'python' : 'python3';
  return {
    os: osName(probe.platform),
    arch: probe.arch,
    packageManagers: KNOWN_MANAGERS.filter((m) => probe.has(m)),
    python: { command, condaActive, venvActive },
    isRoot: probe.uid === 0,
  };
}

/** This host. */
export function detectPlatform(env: NodeJS.ProcessEnv = process.env): Platform {
  return describePlatform({ platform: process.platform, arch: process.arch, env, has: (c) => which(c, env) !== undefined, uid: process.getuid?.() });
}
