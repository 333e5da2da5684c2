import { describe, expect, it } from 'vitest';
import { commandsFor, installPolicy } from './install-policy.js';
import { describePlatform, type PlatformProbe } from './platform.js';

const probe = (over: Partial<PlatformProbe> & { tools?: string[] }): PlatformProbe => {
  const tools = new Set(over.tools ?? []);
  return { platform: 'linux', arch: 'x64', env: {}, uid: 1000, has: (c) => tools.has(c), ...over };
};

describe('describePlatform', () => {
  it('names the OS, the managers on PATH and the Python to call', () => {
    const p = describePlatform(probe({ tools: ['apt-get', 'pip3', 'python3', 'sudo'] }));
    expect(p).toEqual({ os: 'linux', arch: 'x64', packageManagers: ['apt-get', 'pip3', 'sudo'], python: { command: 'python3', condaActive: false, venvActive: false }, isRoot: false });
    expect(describePlatform(probe({ platform: 'darwin', env: { VIRTUAL_ENV: '/v' }, tools: ['python3', 'brew'] })).python).toEqual({ command: 'python', condaActive: false, venvActive: true });
    expect(describePlatform(probe({ platform: 'win32', env: { CONDA_DEFAULT_ENV: 'base' } })).os).toBe('windows');
    expect(describePlatform(probe({ tools: [] })).python.command).toBe('python');
  });
});

describe('installPolicy and commandsFor', () => {
  const linuxUser = installPolicy(describePlatform(probe({ tools: ['apt-get', 'python3', 'sudo'] })));
  const linuxRoot = installPolicy(describePlatform(probe({ tools: ['dnf', 'yum', 'python3'], uid: 0 })));
  const mac = installPolicy(describePlatform(probe({ platform: 'darwin', tools: ['brew', 'python3', 'sudo'] })));
  const win = installPolicy(describePlatform(probe({ platform: 'win32', tools: ['choco', 'winget'] })));
  const bare = installPolicy(describePlatform(probe({ tools: ['python3'] })));

  it('system packages go through the platform manager; sudo -n only for a non-root apt/dnf/yum', () => {
    const dep = { type: 'system', name: 'poppler-utils', command: 'pdftotext' } as const;
    expect(commandsFor(dep, linuxUser)).toEqual({ checkCommand: 'command -v pdftotext', installCommand: 'sudo -n apt-get install -y poppler-utils' });
    expect(commandsFor(dep, linuxRoot).installCommand).toBe('dnf install -y poppler-utils');
    expect(commandsFor(dep, mac).installCommand).toBe('brew install poppler-utils');
    expect(commandsFor({ type: 'system', name: 'Git.Git' }, win)).toEqual({ checkCommand: 'command -v Git.Git', installCommand: 'winget install --id Git.Git -e' });
    expect(commandsFor(dep, bare).installCommand).toBe(`{ echo 'No supported system package manager found for poppler-utils' >&2; false; }`);
    expect(bare.notes.join(' ')).toMatch(/No supported system package manager/);
  });

  it('pip: show for a bare name, a version check for a pinned one, the requirement quoted for the shell', () => {
    expect(commandsFor({ type: 'pip', name: 'PyYAML' }, linuxUser)).toEqual({ checkCommand: 'python3 -m pip show PyYAML', installCommand: 'python3 -m pip install PyYAML' });
    const pinned = commandsFor({ type: 'pip', name: 'pandas>=2' }, linuxUser);
    expect(pinned.installCommand).toBe(`python3 -m pip install 'pandas>=2'`);
    expect(pinned.checkCommand).toMatch(/^python3 -c '.*Requirement.*' 'pandas>=2'$/);
  });

  it('npm: global list and install; a service is only checked', () => {
    expect(commandsFor({ type: 'npm', name: '@mermaid-js/mermaid-cli@^10' }, linuxUser)).toEqual({
      checkCommand: 'npm list -g --depth=0 @mermaid-js/mermaid-cli',
      installCommand: `npm install -g '@mermaid-js/mermaid-cli@^10'`,
    });
    expect(commandsFor({ type: 'service', name: 'postgres', serviceCheck: 'pg_isready' }, linuxUser)).toEqual({ checkCommand: 'pg_isready' });
    expect(commandsFor({ type: 'service', name: 'redis' }, linuxUser)).toEqual({ checkCommand: 'command -v redis' });
  });
});
