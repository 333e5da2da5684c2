import { describe, expect, it } from 'vitest';
import { REPO } from './e2e/harness.js';
import { collectSources, engineViolations, importCycles, readsArgv, simulatorViolations, type SourceFile } from './layering/rules.js';

/** DESIGN.md's layering rules as a test (see test/layering/rules.ts). */

const sources = collectSources(REPO);

describe('the house rules hold in this tree', () => {
  it('reads the whole source tree', () => {
    expect(sources.length).toBeGreaterThan(150);
    expect(sources.some((f) => f.rel === 'src/engine/engine.ts')).toBe(true);
    expect(sources.some((f) => f.rel.endsWith('.test.ts'))).toBe(false);
  });

  it('src/engine imports no MCP SDK, contract, server, CLI, tools or resources, and reads no process.argv', () => {
    expect(engineViolations(sources)).toEqual([]);
  });

  it('production code does not reach the simulator (only the simulator and its CLI front ends do)', () => {
    expect(simulatorViolations(sources)).toEqual([]);
  });

  it('has no import cycles', () => {
    expect(importCycles(sources)).toEqual([]);
  });
});

describe('the rules catch what they are meant to', () => {
  const tree = (files: Record<string, string>): SourceFile[] => Object.entries(files).map(([rel, text]) => ({ rel, text }));

  it.each([
    {
      rule: 'an engine module that imports the SDK, a tool or the CLI, or reads argv',
      check: engineViolations,
      files: {
        'src/engine/a.ts': "import { McpServer } from '@modelcontextprotocol/server';\nimport type { X } from '../../tools/index.js';",
        'src/engine/b/c.ts': "export const load = () => import('../../cli/cli.js');",
        'src/engine/d.ts': 'const args = process.argv.slice(2);',
        'src/engine/ok.ts': "const help = 'run with process.argv'; // process.argv in a comment\nimport { z } from 'zod';",
      },
      flagged: ['src/engine/a.ts imports @modelcontextprotocol/server', 'src/engine/a.ts imports tools/index.ts', 'src/engine/b/c.ts imports src/cli/cli.ts', 'src/engine/d.ts reads process.argv'],
    },
    {
      rule: 'production code that imports the simulator, but not the simulator or its front ends',
      check: simulatorViolations,
      files: {
        'src/engine/profiler/runner.ts': "import { writeProbeRegistryEntry } from '../sim/policies/planted.js';",
        'tools/x.ts': "export * from '../src/engine/sim/index.js';",
        'src/engine/sim/server.ts': "import { createRng } from '../util/rng.js';\nimport './policy.js';",
        'src/cli/commands/demo.ts': "const sim = await import('../../engine/sim/index.js');",
      },
      flagged: ['src/engine/profiler/runner.ts imports src/engine/sim/policies/planted.ts', 'tools/x.ts imports src/engine/sim/index.ts'],
    },
  ])('flags $rule', ({ check, files, flagged }) => {
    expect(check(tree(files))).toEqual(flagged);
  });

  it('sees process.argv however it is spelled in code', () => {
    expect(readsArgv("const a = process['argv'];")).toBe(true);
  });

  it('finds cycles through type-only and dynamic imports', () => {
    const files = tree({
      'src/cli/commands/index.ts': "import { demo } from './demo.js';",
      'src/cli/commands/demo.ts': "import type { CliCommand } from './index.js';",
      'src/a.ts': "export const b = () => import('./b.js');",
      'src/b.ts': "import { a } from './a.js';",
      'src/c.ts': "import { a } from './a.js';",
    });
    expect(importCycles(files)).toEqual([['src/cli/commands/demo.ts', 'src/cli/commands/index.ts'], ['src/a.ts', 'src/b.ts']]);
  });
});
