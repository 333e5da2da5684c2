import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CONV_LOG_TASK, recordBareAgentConversation } from '../../../scripts/conv-log-fixture.js';
import { TRANSCRIPT_FIXTURES } from '../../../test/transcript-fixtures.js';
import { tempDirs } from '../../../test/tmp.js';
import { parseTranscriptFile, transcriptToEvidence } from './index.js';

const tmp = tempDirs('skvm-convlog-sim-');

describe('our conversation log, recorded now', () => {
  it('the bare agent against the simulator writes a log that parses to the checked-in fixture’s turns', async () => {
    const file = path.join(tmp(), 'conv.jsonl');
    await recordBareAgentConversation(file);
    const fresh = await parseTranscriptFile(file);
    const fixture = await parseTranscriptFile(path.join(TRANSCRIPT_FIXTURES, 'skvm-conversation-log/bare-agent.jsonl'));
    expect(fresh.format).toBe('skvm-conversation-log');
    expect(fresh.taskPrompt).toBe(CONV_LOG_TASK);
    const shape = (t: typeof fresh) => t.turns.map(({ ts: _ts, ...rest }) => rest);
    expect(shape(fresh)).toEqual(shape(fixture));
    expect(fresh.usage).toEqual(fixture.usage);
    const e = transcriptToEvidence(fresh, 'sim');
    expect(e.taskPrompt).toBe(CONV_LOG_TASK);
    expect(e.runMeta).toMatchObject({ skillLoaded: true, tokens: { input: 3290, output: 69 } });
    expect((await fsp.readFile(file, 'utf8')).includes('sim-fixture-key-not-a-secret')).toBe(false);
  });
});
