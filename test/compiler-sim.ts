import type { SimReply, SimRequest } from '../src/engine/sim/index.js';

/**
 * A compiler model for end-to-end compiles, played by the simulator: it answers each pass's
 * requests by what they ask for — pass 1's requirements call with `scr`, its rewrite agent with
 * one write of SKILL.md (the current text from the prompt, `edit` applied) and then `explanation`,
 * pass 2's dependency call and script request, pass 3's plan call with `plan`. Every reply costs
 * `costUsd`. Anything else is a 400, so a request the passes should not make fails the test.
 */

export interface CompilerScript {
  /** Pass 1: the skill's capability requirements (the `skill_requirements` call). */
  scr?: Record<string, unknown>;
  /** Pass 1: the rewrite agent's edit of the current SKILL.md, [text, replacement]. */
  edit?: [string, string];
  /** Pass 1: the agent's reply after writing (one line per edit). */
  explanation?: string;
  /** Pass 2: command names reported as system dependencies. */
  commands?: string[];
  /** Pass 3: the `pass3_parallel_plan` answer (default: no parallelism). */
  plan?: Record<string, unknown>;
  costUsd?: number;
}

/** Pass 2's script: checks for the commands every sandbox has. */
export const ENV_SCRIPT = (commands: readonly string[]) =>
  `\`\`\`bash\nset -euo pipefail\nfor dep in ${commands.join(' ')}; do command -v "$dep" >/dev/null 2>&1 || { echo "$dep missing" >&2; exit 1; }; done\necho "all dependencies present"\n\`\`\``;

const NO_PARALLELISM = { hasParallelism: false, reasoning: 'one linear procedure', steps: [], parallelGroups: [] };

/** The SKILL.md the rewrite prompt carries (in a fence at least three backticks long). */
export function skillInPrompt(prompt: string): string | undefined {
  return /## Current SKILL\.md\n(`{3,})markdown\n([\s\S]*?\n)\1(?:\n|$)/.exec(prompt)?.[2];
}

export function compilerReplies(s: CompilerScript): (req: SimRequest) => SimReply {
  const costUsd = s.costUsd ?? 0.0012;
  const commands = s.commands ?? ['bash', 'python3'];
  const call = (name: string, args: Record<string, unknown>): SimReply => ({ kind: 'message', toolCalls: [{ name, arguments: args }], stopReason: 'tool_use', costUsd });
  const fault = (message: string): SimReply => ({ kind: 'fault', fault: { type: 'bad_request', message } });
  return (req) => {
    const tools = req.tools.map((t) => t.name);
    if (tools.includes('pass3_parallel_plan')) return call('pass3_parallel_plan', s.plan ?? NO_PARALLELISM);
    if (tools.includes('skill_requirements')) return s.scr ? call('skill_requirements', s.scr) : fault('no SCR scripted');
    if (tools.includes('report_dependencies')) {
      return call('report_dependencies', { dependencies: commands.map((name) => ({ name, type: 'system', required: true, source: 'shell-command', confidence: 0.9 })) });
    }
    if (tools.includes('write_file')) {
      if (req.messages.at(-1)?.role === 'tool') return { kind: 'message', text: s.explanation ?? 'Left the skill as it was.', costUsd };
      const first = req.messages[0]?.content;
      const current = typeof first === 'string' ? skillInPrompt(first) : undefined;
      if (current === undefined || !s.edit) return fault('no rewrite scripted, or no SKILL.md in the prompt');
      return call('write_file', { path: 'SKILL.md', content: current.replace(s.edit[0], s.edit[1]) });
    }
    if (tools.length === 0) return { kind: 'message', text: ENV_SCRIPT(commands), costUsd };
    return fault(`unexpected request with tools ${tools.join(', ')}`);
  };
}

/**
 * The bundled slug-rules skill as a compiler model reads it: it asks for JavaScript (a gap for
 * models weak at it, e.g. qwen3.5-9b's upstream profile has gen.code.javascript at L0) and an
 * ordered procedure; the rewrite tells the model to copy the reference implementation; pass 3
 * finds the German-letter and accent steps independent.
 */
export const SLUG_RULES: CompilerScript = {
  scr: {
    skillName: 'slug-rules',
    purposes: [
      { id: 'write-code', description: 'Write slugify in JavaScript', currentPath: { primitives: [{ id: 'gen.code.javascript', minLevel: 'L2', evidence: 'reference implementation (ES module)' }] }, alternativePaths: [] },
      { id: 'apply-rules', description: 'Apply the eight rules in order', currentPath: { primitives: [{ id: 'follow.procedure', minLevel: 'L2', evidence: 'rules in this order' }] }, alternativePaths: [] },
    ],
  },
  edit: ['## Reference implementation (ES module)\n', '## Reference implementation (ES module)\n\nCopy this function as it is instead of writing your own.\n'],
  explanation: 'Reference implementation (gen.code.javascript): told the model to copy the function as it is.',
  plan: {
    hasParallelism: true,
    reasoning: 'German letters and other accents are independent lookups merged before lower-casing.',
    steps: [
      { id: 'german', description: 'Replace German letters', primitives: [], dependsOn: [] },
      { id: 'accents', description: 'Drop other accents', primitives: [], dependsOn: [] },
      { id: 'join', description: 'Lower-case and join with dashes', primitives: [], dependsOn: ['german', 'accents'] },
    ],
    parallelGroups: [{ type: 'ilp', stepIds: ['german', 'accents'], reason: 'independent', mechanism: 'one batched turn' }],
  },
};
