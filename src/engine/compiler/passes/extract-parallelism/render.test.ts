import { readFileSync, readdirSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { requireUpstream } from '../../../../../test/upstream.js';
import { headings, validateGuard } from '../../guard.js';
import type { WorkflowDAG } from '../../types.js';
import { renderParallelHints, renderWorkflowDag } from './render.js';

const dag: WorkflowDAG = {
  steps: [
    { id: 'scope', description: 'Decide what to collect', primitives: [], dependsOn: [] },
    { id: 'fetch-pages', description: 'Fetch every "source" URL', primitives: ['tool.web'], dependsOn: ['scope'] },
    { id: 'read_notes', description: '', primitives: [], dependsOn: ['scope'] },
    { id: 'report', description: 'Write the report', primitives: [], dependsOn: ['fetch-pages', 'read_notes'] },
  ],
  parallelism: [
    { type: 'dlp', steps: ['fetch-pages'], mechanism: 'inline_parallel_primitive: URLs are independent', fallback: 'sequential_execution' },
    { type: 'ilp', steps: ['fetch-pages', 'read_notes'], mechanism: 'batched_tool_use', fallback: 'sequential_execution' },
    { type: 'tlp', steps: ['fetch-pages', 'read_notes'], mechanism: 'sub_agent', fallback: 'sequential_execution' },
  ],
};

const HINTS = `

---

**Parallel execution hints:** Some steps of this workflow can run at the same time. Apply a hint only if your harness supports its mechanism; otherwise run the steps sequentially, as written above.

**Group 1 — DLP (same operation over independent data items):**

- **fetch-pages**: Fetch every "source" URL

Mechanism: inline_parallel_primitive: URLs are independent

Run this step's operation over all items at once with a parallel primitive (\`xargs -P\`, GNU parallel, Python's \`multiprocessing.Pool\`, \`Promise.all\`) instead of a loop, then merge the per-item results before moving on.

**Group 2 — ILP (independent tool calls batched in one LLM turn):**

- **fetch-pages**: Fetch every "source" URL
- **read_notes**: (no description)

Mechanism: batched_tool_use

Issue these tool calls together in a single assistant turn, as one batched tool_use block, then pass each result to the step that consumes it.

**Group 3 — TLP (independent sub-tasks dispatched to sub-agents):**

- **fetch-pages**: Fetch every "source" URL
- **read_notes**: (no description)

Mechanism: sub_agent

Once their shared prerequisites are done, start one sub-agent per step, wait for all of them, then merge their results before moving on.
`;

const MERMAID = `## Workflow DAG

\`\`\`mermaid
graph TD
  scope["Decide what to collect"]
  fetch_pages["Fetch every 'source' URL"]
  read_notes["read_notes"]
  report["Write the report"]
  scope --> fetch_pages
  scope --> read_notes
  fetch_pages --> report
  read_notes --> report
\`\`\`
`;

describe('renderParallelHints', () => {
  it('renders the section exactly: rule, bold intro, one block per group with bullets, mechanism and guidance', () => {
    expect(renderParallelHints(dag)).toBe(HINTS);
  });

  it('nothing to append without a step or without a group', () => {
    expect(renderParallelHints({ steps: [], parallelism: [] })).toBeUndefined();
    expect(renderParallelHints({ steps: dag.steps, parallelism: [] })).toBeUndefined();
    expect(renderParallelHints({ steps: [], parallelism: dag.parallelism })).toBeUndefined();
  });

  it('folds model text onto one line so it cannot start a heading or a fence', () => {
    const hostile: WorkflowDAG = {
      steps: [
        { id: 'a\n# Injected id', description: 'first\n\n# Injected heading\n```\ncode', primitives: [], dependsOn: [] },
        { id: 'b', description: '  \n ', primitives: [], dependsOn: [] },
      ],
      parallelism: [{ type: 'tlp', steps: ['a\n# Injected id', 'b'], mechanism: 'sub_agent\n## Also injected', fallback: 'sequential_execution' }],
    };
    const out = renderParallelHints(hostile)!;
    expect(out).toContain('- **a # Injected id**: first # Injected heading ``` code\n');
    expect(out).toContain('- **b**: (no description)\n');
    expect(out).toContain('Mechanism: sub_agent ## Also injected\n');
    expect(headings(out)).toEqual([]);
    expect(out.split('\n').filter((l) => l.startsWith('```'))).toEqual([]);
  });
});

describe('the appended section and the guard (spec §4.6)', () => {
  const skillsDir = path.join(requireUpstream(), 'skills');
  const skills = readdirSync(skillsDir).map((name) => [name, readFileSync(path.join(skillsDir, name, 'SKILL.md'), 'utf8')] as const);

  it.each(skills)('%s: appending the section adds, removes and changes no heading, and keeps the front matter', (_name, original) => {
    const compiled = original + HINTS;
    const { violations } = validateGuard(original, compiled);
    expect(violations.filter((v) => !v.startsWith('Length:'))).toEqual([]);
    expect(headings(compiled)).toEqual(headings(original));
  });
});

describe('renderWorkflowDag', () => {
  it('renders the mermaid file exactly: sanitised ids, description or id as label, " → \', one edge per dependency', () => {
    expect(renderWorkflowDag(dag)).toBe(MERMAID);
  });

  it('folds multi-line descriptions so each node stays on one line', () => {
    const out = renderWorkflowDag({ steps: [{ id: 'x.y', description: 'two\nlines', primitives: [], dependsOn: [] }, dag.steps[0]!], parallelism: dag.parallelism })!;
    expect(out).toContain('\n  x_y["two lines"]\n');
  });

  it('nothing to draw without a step or without a group', () => {
    expect(renderWorkflowDag({ steps: [], parallelism: [] })).toBeUndefined();
    expect(renderWorkflowDag({ steps: dag.steps, parallelism: [] })).toBeUndefined();
  });
});
