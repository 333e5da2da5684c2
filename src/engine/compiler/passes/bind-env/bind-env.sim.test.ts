import { promises as fsp } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { simulatedLlm } from '../../../../../test/scripted-sim.js';
import { tempDirs } from '../../../../../test/tmp.js';
import type { Route } from '../../../config/schema.js';
import { LlmError } from '../../../llm/errors.js';
import { sandboxSupport } from '../../../sandbox/index.js';
import type { ScriptStep } from '../../../sim/index.js';
import { CancelledError } from '../../../util/errors.js';
import { silentLogger, type Logger } from '../../../util/log.js';
import type { PassContext } from '../../types.js';
import { run } from './index.js';
import { NO_DEPENDENCIES_SCRIPT } from './script.js';

/**
 * The whole pass through the real LLM client against the scripted simulator, with the script
 * really run under bubblewrap (required: CI installs it).
 */

const { client: llm, script: serve } = simulatedLlm((sim): Route[] => [{ match: 'sim/*', kind: 'openai-compatible', baseUrl: sim.openaiBaseUrl, apiKey: 'sim-key-bind-env' }]);
const tmp = tempDirs('skvm-bindenv-test-');

const SKILL = '---\nname: demo\n---\n# Demo\n\nRun `scripts/check.sh` with bash, then summarise with python3.\n';
const deps = (list: unknown[]): ScriptStep => ({ kind: 'message', toolCalls: [{ name: 'report_dependencies', arguments: { dependencies: list } }] });
const text = (t: string): ScriptStep => ({ kind: 'message', text: t });
const BASH_PY = [
  { name: 'bash', type: 'system', required: true, source: 'shell-command', confidence: 0.9 },
  { name: 'python3', type: 'system', required: true, source: 'shell-command', confidence: 0.9 },
];

/** A script in the template's shape, checking bash and python3 (both present, so no network is needed). */
const presentScript = (extra = '') => `Here is the script:
\`\`\`bash
set -euo pipefail
log() { printf '[env-setup] %s\\n' "$*"; }
warn() { printf '[env-setup] WARNING: %s\\n' "$*" >&2; }
FAILED=0
${extra}
for dep in bash python3; do
  if command -v "$dep" >/dev/null 2>&1; then log "$dep: already present"; else warn "$dep missing"; FAILED=$((FAILED + 1)); fi
done
[ "$FAILED" -eq 0 ] || exit 1
log "all dependencies present"
\`\`\``;
const failingScript = (why: string) => `#!/bin/bash\n# bash python3\necho "${why}" >&2\nexit 4\n`;

let workDir: string;
let tmpRoot: string;
beforeAll(async () => {
  expect((await sandboxSupport()).available, 'bubblewrap must be installed for these tests').toBe(true);
});
beforeEach(async () => {
  workDir = tmp();
  tmpRoot = tmp();
  await fsp.mkdir(path.join(workDir, 'scripts'));
  await fsp.writeFile(path.join(workDir, 'SKILL.md'), SKILL);
  await fsp.writeFile(path.join(workDir, 'scripts', 'check.sh'), '#!/bin/bash\necho checking\n');
});

function ctx(over: Partial<PassContext> = {}): PassContext {
  return {
    skillName: 'demo',
    workDir,
    skillContent: SKILL,
    originalSkill: SKILL,
    model: 'target/model',
    harness: 'bare-agent',
    compilerModel: 'sim/compiler',
    llm: llm(),
    artifacts: {},
    timeoutMs: 20_000,
    signal: new AbortController().signal,
    progress: () => undefined,
    log: silentLogger,
    tmpRoot,
    sandboxMode: 'auto',
    allowHostInstall: false,
    ...over,
  };
}

async function tree(dir: string): Promise<string[]> {
  return (await fsp.readdir(dir, { recursive: true })).map(String).sort();
}

const hostMarker = () => path.join(os.tmpdir(), `skvm-bindenv-host-marker-${process.pid}-${Math.random().toString(36).slice(2)}`);
const exists = (p: string) => fsp.access(p).then(() => true, () => false);

describe('bind-env, simulated in the sandbox', () => {
  it('present dependencies: script passes bash -n and simulates ok on attempt 1 without network; nothing lands in the variant', async () => {
    const before = await tree(workDir);
    const marker = hostMarker();
    // The script also tries to write outside its copy: the host /tmp and the staging dir itself.
    const policy = serve([deps(BASH_PY), text(presentScript(`touch ${marker}; touch ${workDir}/leak 2>/dev/null || true; touch "$PWD/in-copy"`))]);
    const out = await run(ctx());

    expect(out.artifacts.envSimulation).toEqual({ attemptCount: 1, success: true, finalScriptValidated: true });
    expect(out.artifacts.deps!.map((d) => [d.name, d.type, d.checkCommand])).toEqual([
      ['bash', 'system', 'command -v bash'],
      ['python3', 'system', 'command -v python3'],
    ]);
    expect(out.artifacts.envScript!.startsWith('#!/bin/bash\nset -euo pipefail\n')).toBe(true);
    expect(out.report.summary).toBe('2 dependencies; env script simulated ok in the sandbox in 1 attempt');
    expect(out.report.warning).toBeUndefined();
    expect(out.report.facts).toMatchObject({ dependencies: ['bash', 'python3'], syntaxValid: true, simulation: { success: true, ranOn: 'sandbox' } });

    expect(await tree(workDir)).toEqual(before);
    expect(await exists(marker)).toBe(false);
    expect(await tree(tmpRoot)).toEqual([]);

    // What the model was asked: our extraction tool, then a script for the policy's commands.
    const [extract, generate] = policy.requests();
    expect(extract!.toolChoice).toEqual({ name: 'report_dependencies' });
    expect(extract!.messages[0]!.content).toContain('--- scripts/check.sh ---');
    expect(generate!.messages[0]!.content).toContain('"checkCommand": "command -v python3"');
    expect(generate!.messages[0]!.content).not.toMatch(/^\s*apt-get update/m);
  });

  it('no dependencies: the fixed script, no script-writing call, still simulated', async () => {
    const policy = serve([deps([])]);
    const out = await run(ctx());
    expect(policy.requests()).toHaveLength(1);
    expect(out.artifacts).toEqual({ deps: [], envScript: NO_DEPENDENCIES_SCRIPT, envSimulation: { attemptCount: 1, success: true, finalScriptValidated: true } });
    expect(out.report.summary).toBe('0 dependencies; env script simulated ok in the sandbox in 1 attempt');
  });

  it('scanned imports reach the prompt and the dependency list under their package names', async () => {
    const skill = `${SKILL}\n\`\`\`python\nimport yaml\nfrom PIL import Image\nimport json\n\`\`\`\n`;
    const policy = serve([deps([{ name: 'pandas>=2', type: 'pip', required: true }]), text('#!/bin/bash\n# PyYAML Pillow pandas: checked elsewhere\nexit 0\n')]);
    const out = await run(ctx({ skillContent: skill }));
    expect(policy.requests()[0]!.messages[0]!.content).toMatch(/- PIL → Pillow \(imported 1×\)\n- yaml → PyYAML \(imported 1×\)/);
    expect(out.artifacts.deps!.map((d) => d.name)).toEqual(['pandas>=2', 'Pillow', 'PyYAML']);
    expect(out.artifacts.deps![0]!.installCommand).toMatch(/-m pip install 'pandas>=2'$/);
  });

  it('a failing simulation is repaired on attempt 2; the model sees the failure output', async () => {
    const policy = serve([deps(BASH_PY), text(failingScript('curl: could not resolve host')), text(presentScript())]);
    const progress: string[] = [];
    const out = await run(ctx({ progress: (m) => progress.push(m) }));
    expect(out.artifacts.envSimulation).toEqual({ attemptCount: 2, success: true, finalScriptValidated: true });
    expect(out.report.summary).toBe('2 dependencies; env script simulated ok in the sandbox in 2 attempts');
    const repair = policy.requests()[2]!;
    expect(repair.messages[0]!.content).toMatch(/^Attempt 1 of 3 failed\./);
    expect(repair.messages[0]!.content).toContain('The script exited with 4:\ncurl: could not resolve host');
    expect(progress).toContain('repairing env-setup.sh after attempt 1');
    expect(await tree(tmpRoot)).toEqual([]);
  });

  it('failure after 3 attempts is reported (warning), not thrown; a policy violation fails an attempt without running it', async () => {
    const marker = hostMarker();
    const policy = serve([
      deps(BASH_PY),
      text(failingScript('first')),
      text(failingScript('second')),
      text(`#!/bin/bash\n# bash python3\napt-get update\ntouch ${marker}\n`),
    ]);
    const out = await run(ctx());
    expect(policy.requests()).toHaveLength(4);
    const sim = out.artifacts.envSimulation!;
    expect(sim).toMatchObject({ attemptCount: 3, success: false, finalScriptValidated: false });
    expect(sim.failureReason).toMatch(/^Policy violation: .*\nline 3: apt-get update$/);
    expect(out.artifacts.envScript).toContain('apt-get update');
    expect(out.report.summary).toBe('2 dependencies; env script failed simulation after 3 attempts');
    expect(out.report.warning).toMatch(/^env-setup.sh is not validated: Policy violation/);
    expect(await exists(marker)).toBe(false);
  });

  it('a script that outlives the time limit fails its attempt with "timed out"', async () => {
    const policy = serve([deps(BASH_PY), text('#!/bin/bash\n# bash python3\nsleep 30\n'), text(presentScript())]);
    const out = await run(ctx({ timeoutMs: 1000 }));
    expect(out.artifacts.envSimulation).toMatchObject({ attemptCount: 2, success: true });
    expect(policy.requests()[2]!.messages[0]!.content).toContain('The script timed out after 1000 ms');
  });

  it('a script that does not parse fails bash -n and goes to repair', async () => {
    const policy = serve([deps(BASH_PY), text('#!/bin/bash\n# bash python3\nif true; then\n'), text(presentScript())]);
    const out = await run(ctx());
    expect(out.artifacts.envSimulation).toMatchObject({ attemptCount: 2, success: true });
    expect(policy.requests()[2]!.messages[0]!.content).toMatch(/bash -n: the script does not parse/);
  });
});

describe('bind-env never installs on the host without allowHostInstall', () => {
  it('sandbox mode "none" and no opt-in: the script is not run at all; bash -n still recorded', async () => {
    const marker = hostMarker();
    const policy = serve([deps(BASH_PY), text(presentScript(`touch ${marker}`))]);
    const out = await run(ctx({ sandboxMode: 'none' }));
    expect(await exists(marker)).toBe(false);
    expect(policy.requests()).toHaveLength(2); // no repair: nothing ran to learn from
    expect(out.artifacts.envSimulation).toMatchObject({ attemptCount: 0, success: false, finalScriptValidated: false });
    expect(out.artifacts.envSimulation!.failureReason).toMatch(/no sandbox/);
    expect(out.report.summary).toBe('2 dependencies; env script not simulated (no sandbox)');
    expect(out.report.facts).toMatchObject({ syntaxValid: true, simulation: { ranOn: 'nowhere' } });
    expect(out.report.warning).toMatch(/no sandbox/);
  });

  it('a sandbox that cannot run here (sandbox-runtime needs macOS tooling): not run, the reason says why', async () => {
    const marker = hostMarker();
    serve([deps(BASH_PY), text(presentScript(`touch ${marker}`))]);
    const out = await run(ctx({ sandboxMode: 'sandbox-runtime' }));
    expect(await exists(marker)).toBe(false);
    expect(out.artifacts.envSimulation).toMatchObject({ attemptCount: 0, success: false, finalScriptValidated: false });
    expect(out.artifacts.envSimulation!.failureReason).toMatch(/sandbox-runtime/);
    expect(out.report.facts).toMatchObject({ simulation: { ranOn: 'nowhere' } });
    expect(await tree(tmpRoot)).toEqual([]);
  });

  it('allowHostInstall: runs on the host (the marker appears), unsandboxed, and says so loudly', async () => {
    const marker = hostMarker();
    serve([deps(BASH_PY), text(presentScript(`touch ${marker}; echo "key=\${OPENAI_API_KEY:-unset}" > ${marker}`))]);
    const warnings: string[] = [];
    const log: Logger = { ...silentLogger, warn: (m) => warnings.push(m), child: () => log };
    const saved = process.env.OPENAI_API_KEY;
    process.env.OPENAI_API_KEY = 'sk-test-should-not-leak';
    try {
      const out = await run(ctx({ allowHostInstall: true, sandboxMode: 'none', log }));
      expect(out.artifacts.envSimulation).toEqual({ attemptCount: 1, success: true, finalScriptValidated: true });
      expect(out.report.summary).toBe('2 dependencies; env script simulated ok on the host in 1 attempt');
    } finally {
      if (saved === undefined) delete process.env.OPENAI_API_KEY;
      else process.env.OPENAI_API_KEY = saved;
    }
    expect(await fsp.readFile(marker, 'utf8')).toBe('key=unset\n');
    await fsp.rm(marker);
    expect(warnings.join('\n')).toMatch(/ON THIS HOST, unsandboxed/);
    expect(await tree(tmpRoot)).toEqual([]);
  });
});

describe('errors and cancellation', () => {
  it('a provider error in extraction propagates', async () => {
    serve([{ kind: 'fault', fault: { type: 'bad_request', message: 'context too long' } }]);
    await expect(run(ctx())).rejects.toBeInstanceOf(LlmError);
  });

  it('a provider error during repair propagates instead of becoming a simulation failure', async () => {
    serve([deps(BASH_PY), text(failingScript('boom')), { kind: 'fault', fault: { type: 'auth' } }]);
    await expect(run(ctx())).rejects.toBeInstanceOf(LlmError);
    expect(await tree(tmpRoot)).toEqual([]);
  });

  it('cancellation during the simulation stops the script and leaves no temporary copy', async () => {
    const ac = new AbortController();
    serve([
      deps(BASH_PY),
      () => {
        setTimeout(() => ac.abort('user cancelled'), 500);
        return { kind: 'message', text: '#!/bin/bash\n# bash python3\nsleep 30\n' };
      },
    ]);
    const started = Date.now();
    await expect(run(ctx({ signal: ac.signal }))).rejects.toBeInstanceOf(CancelledError);
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(await tree(tmpRoot)).toEqual([]);
  });

  it('an already-aborted signal stops before any call', async () => {
    const policy = serve([deps(BASH_PY)]);
    const ac = new AbortController();
    ac.abort();
    await expect(run(ctx({ signal: ac.signal }))).rejects.toThrow();
    expect(policy.requests()).toHaveLength(0);
  });
});
