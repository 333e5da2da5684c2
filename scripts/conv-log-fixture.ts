/**
 * Produces test/fixtures/transcripts/skvm-conversation-log/bare-agent.jsonl: our own bare agent,
 * through the real OpenAI SDK over HTTP against the simulator (a scripted policy), doing a small
 * task — it loads the bundled slug-rules skill, runs a command that fails, writes a file and
 * answers. The log is the one the agent writes, not a hand-made copy. The transcript tests run the
 * same recording afresh, so the fixture and the code cannot drift apart unnoticed.
 *
 *   npm run build && node dist/scripts/conv-log-fixture.js [out-file]
 */
import { promises as fsp } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runBareAgent } from '../src/engine/agent/adapters/bare-agent.js';
import { LlmClient } from '../src/engine/llm/client.js';
import { scriptedPolicy, startSimServer } from '../src/engine/sim/index.js';
import { loadSkill } from '../src/engine/skills/load.js';
import { silentLogger } from '../src/engine/util/log.js';

export const CONV_LOG_TASK = 'Turn the title in title.txt into a slug following the slug-rules skill and write it to slug.txt.';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), fileURLToPath(import.meta.url).includes(`${path.sep}dist${path.sep}`) ? '../..' : '..');

/** Runs the task once and writes the agent's conversation log to `outFile`. */
export async function recordBareAgentConversation(outFile: string): Promise<void> {
  const sim = await startSimServer({
    policy: scriptedPolicy([
      { kind: 'message', text: '', toolCalls: [{ name: 'load_skill', arguments: { name: 'slug-rules' } }], usage: { input: 410, output: 12 } },
      { kind: 'message', text: 'Reading the titles.', toolCalls: [{ name: 'execute_command', arguments: { command: 'cat titles.txt' } }], usage: { input: 620, output: 18 } },
      { kind: 'message', text: '', toolCalls: [{ name: 'read_file', arguments: { path: 'title.txt' } }], usage: { input: 700, output: 10 } },
      { kind: 'message', text: '', toolCalls: [{ name: 'write_file', arguments: { path: 'slug.txt', content: 'hello-world\n' } }], usage: { input: 760, output: 20, cacheRead: 300 } },
      { kind: 'message', text: 'Wrote hello-world to slug.txt.', usage: { input: 800, output: 9, cacheRead: 500 } },
    ]),
  });
  const work = await fsp.mkdtemp(path.join(os.tmpdir(), 'skvm-convlog-'));
  try {
    await fsp.writeFile(path.join(work, 'title.txt'), 'Hello World\n');
    const llm = new LlmClient({
      config: () => ({ providers: { routes: [{ match: 'sim/*', kind: 'openai-compatible', baseUrl: sim.openaiBaseUrl, apiKeyEnv: 'SIM_FIXTURE_KEY' }] } }),
      configFile: path.join(work, 'skvm.config.json'),
      env: { SIM_FIXTURE_KEY: 'sim-fixture-key-not-a-secret' },
      log: silentLogger,
    });
    const skill = await loadSkill(path.join(REPO, 'skvm-data/skills/slug-rules'));
    await runBareAgent({
      model: 'sim/fixture-agent',
      llm,
      prompt: CONV_LOG_TASK,
      workDir: work,
      skills: { skills: [skill], mode: 'discover' },
      maxSteps: 8,
      timeoutMs: 30_000,
      sandbox: { mode: 'auto', network: false },
      convLogPath: outFile,
      log: silentLogger,
    });
  } finally {
    await sim.close();
    await fsp.rm(work, { recursive: true, force: true });
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  const out = path.resolve(process.argv[2] ?? path.join(REPO, 'test/fixtures/transcripts/skvm-conversation-log/bare-agent.jsonl'));
  await recordBareAgentConversation(out);
  console.log(`wrote ${out}`);
}
