/** Sent to the host at connection time; tells a model what this server is for and how to drive it. */
export const SERVER_INSTRUCTIONS = [
  'SkVM makes agent skills (SKILL.md folders) work across LLMs and agent harnesses.',
  'It profiles a model+harness against 26 primitive capabilities (levels L0-L3), compiles a skill to fit a profile,',
  'runs and benchmarks tasks with and without a skill, and optimizes skills from evidence, delivering every change as a proposal a person accepts or rejects.',
  'Start with config_doctor when a model call fails or before a first run (it checks routes, keys and the cache);',
  'config_show explains where each setting comes from; config_init writes a config.',
  'Use primitives_list to learn the capability catalog, profiles_list / profile_show to see what a model can do, profile_compare-style questions are answered from profile_show,',
  'and profiles_import to load pre-built profiles.',
  'Long operations return a run: if the result is not in the reply, call run_status with the runId (it waits up to waitSeconds and reports progress) and run_cancel to stop it; runs_list shows recent runs.',
  'Full records are also resources: skvm://runs/{runId}, skvm://profiles/{harness}/{model}, skvm://primitives.',
].join(' ');
