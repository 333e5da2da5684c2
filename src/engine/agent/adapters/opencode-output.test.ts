import { writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { tempDirs } from '../../../../test/tmp.js';
import type { Skill, SkillBundle } from '../../skills/types.js';
import { parseOpencodeOutput } from './opencode-output.js';

const SAMPLES = path.join(path.dirname(fileURLToPath(import.meta.url)), 'samples', 'opencode');
const tmp = tempDirs('skvm-opencode-output-');

function skill(name: string, content: string): Skill {
  return { name, description: 'd', dir: `/nonexistent/${name}`, skillMdPath: `/nonexistent/${name}/SKILL.md`, content, frontMatter: { name }, files: [], contentHash: '0123456789abcdef' };
}
const tidy = (mode: SkillBundle['mode']): SkillBundle => ({ mode, skills: [skill('tidy-notes', '---\nname: tidy-notes\n---\n# Tidy\nWrite notes.txt then read it back.\n')] });

describe('parseOpencodeOutput', () => {
  it('reads a real opencode 1.18.33 run: tool steps with outputs, exit codes and durations, summed tokens, final text, skill tool ⇒ discover loaded', async () => {
    const r = await parseOpencodeOutput(path.join(SAMPLES, 'run-discover.ndjson'), tidy('discover'));
    const calls = r.steps.flatMap((s) => s.toolCalls);
    expect(calls.map((c) => c.name)).toEqual(['skill', 'write', 'bash', 'bash']);
    expect(calls[0]).toMatchObject({ id: 'call_sim_1_0', input: { name: 'tidy-notes' } });
    expect(calls[2]).toMatchObject({ input: { command: 'cat missing-input.txt' }, exitCode: 1, output: 'cat: missing-input.txt: No such file or directory\n' });
    expect(calls[3]).toMatchObject({ exitCode: 0, output: 'skvm fixture: written by the simulated model\n' });
    expect(calls.every((c) => typeof c.durationMs === 'number' && c.durationMs >= 0)).toBe(true);
    expect(r.steps.at(-1)).toMatchObject({ role: 'assistant', text: r.text });
    expect(r.text).toMatch(/^Done: the file is written/);
    // Five step_finish events: input 7592+7732+7808+7872+7933, output 6+27+9+7+27.
    expect(r.tokens).toEqual({ input: 38937, output: 76, cacheRead: 0, cacheWrite: 0 });
    expect(r).toMatchObject({ cost: 0, usageAvailable: true, skillLoaded: true });
    expect(r.error).toBeUndefined();
  });

  it('discover: a failed or foreign skill call is not a load; inject counts any model step; no skill ⇒ skillLoaded absent', async () => {
    const dir = tmp();
    const lines = [
      { type: 'tool_use', timestamp: 1, sessionID: 's', part: { type: 'tool', tool: 'skill', callID: 'c1', state: { status: 'error', input: { name: 'tidy-notes' }, error: 'Skill "tidy-notes" not found.' } } },
      { type: 'tool_use', timestamp: 2, sessionID: 's', part: { type: 'tool', tool: 'skill', callID: 'c2', state: { status: 'completed', input: { name: 'other' }, output: 'x' } } },
      { type: 'step_finish', timestamp: 3, sessionID: 's', part: { type: 'step-finish', tokens: { input: 5, output: 1, reasoning: 2, cache: { read: 3, write: 4 } }, cost: 0.25 } },
    ];
    const file = path.join(dir, 'out.ndjson');
    writeFileSync(file, lines.map((l) => JSON.stringify(l)).join('\n') + '\n');
    const discover = await parseOpencodeOutput(file, tidy('discover'));
    expect(discover.skillLoaded).toBe(false);
    expect(discover.steps[0]!.toolCalls[0]).toMatchObject({ exitCode: 1, output: 'Skill "tidy-notes" not found.' });
    expect(discover).toMatchObject({ tokens: { input: 5, output: 3, cacheRead: 3, cacheWrite: 4 }, cost: 0.25 });
    expect((await parseOpencodeOutput(file, tidy('inject'))).skillLoaded).toBe(true);
    expect('skillLoaded' in (await parseOpencodeOutput(file, undefined))).toBe(false);
  });

  it('an error event becomes the adapter error text; no usage ⇒ cost null and usage unavailable', async () => {
    const r = await parseOpencodeOutput(path.join(SAMPLES, 'error-event.ndjson'), undefined);
    expect(r.error).toEqual({ text: 'Unauthorized: invalid api key', source: 'opencode:error-event' });
    expect(r).toMatchObject({ cost: null, usageAvailable: false, text: '', steps: [] });
  });

  it('empty or non-JSON output is telemetry only, not a failure', async () => {
    const file = path.join(tmp(), 'out.ndjson');
    writeFileSync(file, 'opencode banner\n\n');
    const r = await parseOpencodeOutput(file, undefined);
    expect(r.runStatus).toBeUndefined();
    expect(r.statusDetail).toMatch(/telemetry only/);
  });
});
