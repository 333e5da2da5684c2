/** Sent to the host at connection time: what this server is for and which tool to call when. */
export const SERVER_INSTRUCTIONS = [
  'SkVM makes agent skills (SKILL.md folders) work across LLMs and agent harnesses: it profiles a model+harness on 26 primitive capabilities (levels L0–L3),',
  'compiles skills for a target model, and runs and benchmarks tasks with and without a skill to measure what the skill adds on each model.',
  'Call config_doctor first when a model call fails or before the first real work (it checks routes, API keys and the cache and says how to fix each problem);',
  'config_show answers where a setting comes from, and config_init writes the config (keys are named by environment variable, never passed as arguments).',
  'primitives_list explains the capability catalog; profile measures a model (a long run), profiles_list / profile_show / profile_compare tell what models can do, and profiles_import loads pre-built profiles.',
  'compile rewrites a skill for a target model from its profile (gaps compensated, guard-checked, env-setup script, parallel hints; a long run) and compile_passes lists its passes.',
  'run_task runs one task with an agent (optionally with a skill) and scores it; bench measures tasks × models × conditions (no-skill, original, custom-skill) and bench_compare compares two bench sessions.',
  'Long operations return a run: when the reply has no result yet, call run_status with its runId (it waits up to waitSeconds and reports progress) and run_cancel to stop it; runs_list finds runs.',
  'Full records are resources: skvm://runs/{runId}, skvm://profiles/{harness}/{model}, skvm://bench/{sessionId}, skvm://tasks/{id}, skvm://skills/{name}, skvm://primitives.',
].join(' ');
