import { defineResource } from '../src/contract/resource.js';
import type { Engine } from '../src/engine/engine.js';
import { asDirPrefix, completions, decode } from './uri-vars.js';

const MIME = 'application/json';

/** The store loads on first use so the server starts without it. */
const store = () => import('../src/engine/profiles/store.js');

export async function completeHarness(engine: Engine, value: string): Promise<string[]> {
  const keys = await (await store()).listProfileKeys(engine.roots.profiles.value);
  return completions(keys.map((k) => k.harness), decode(value));
}

async function completeModel(engine: Engine, value: string, args: Record<string, string>): Promise<string[]> {
  const harness = args.harness ? decode(args.harness) : undefined;
  const keys = await (await store()).listProfileKeys(engine.roots.profiles.value);
  return completions(keys.filter((k) => harness === undefined || k.harness === harness).map((k) => k.dirName), asDirPrefix(value));
}

/**
 * `skvm://profiles/{harness}/{model}`: the full capability profile (TCP JSON). `model` is the
 * cache directory name (`openrouter--qwen--qwen3.5-9b`); a URL-encoded model id
 * (`openrouter%2Fqwen%2Fqwen3.5-9b`) is accepted too. Serves latest.json, or the newest
 * complete version when latest.json is missing or partial; `?version=<stamp>` selects an
 * archived version.
 */
export const profileResource = defineResource({
  name: 'profile',
  title: 'Capability profile',
  description:
    'A model+harness capability profile (TCP): the level reached on each of the 26 primitives with per-level ' +
    'results. Serves the current complete profile; append ?version=<stamp> for an archived one.',
  mimeType: MIME,
  uri: 'skvm://profiles/{harness}/{model}',
  async list(engine) {
    const { listProfileKeys, profileUri } = await store();
    const keys = await listProfileKeys(engine.roots.profiles.value);
    return keys.map((k) => ({
      uri: profileUri(k.harness, k.dirName),
      name: `${k.harness}/${k.dirName}`,
      title: `${k.dirName} on ${k.harness}`,
      description: `Capability profile; ${k.versionCount} archived version${k.versionCount === 1 ? '' : 's'}${k.hasLatest ? '' : ', no latest.json'}`,
      mimeType: MIME,
    }));
  },
  complete: { harness: completeHarness, model: completeModel },
  async read(engine, uri, vars) {
    // The template has no query part, so a `?version=` may arrive inside the last variable.
    let model = vars.model ?? '';
    let version = uri.searchParams.get('version') ?? undefined;
    const q = model.indexOf('?');
    if (q >= 0) {
      version ??= new URLSearchParams(model.slice(q + 1)).get('version') ?? undefined;
      model = model.slice(0, q);
    }
    const loaded = await (await store()).loadProfile(engine.roots.profiles.value, decode(vars.harness ?? ''), decode(model), {
      version: version || undefined,
      allowPartial: true,
    });
    return { uri: uri.href, mimeType: MIME, text: JSON.stringify(loaded.tcp, null, 2) };
  },
});

/** The profile a `{harness}/{model}` URI names (unknown ones fail with the closest names). */
async function profileRef(engine: Engine, vars: Record<string, string>) {
  const dir = engine.roots.profiles.value;
  const ref = await (await store()).resolveProfileRef(dir, { harness: decode(vars.harness ?? ''), model: decode(vars.model ?? '') });
  return { dir, ref };
}

/** `skvm://profiles/{harness}/{model}/versions`: every archived complete version, newest first. */
export const profileVersionsResource = defineResource({
  name: 'profile-versions',
  title: 'Capability profile versions',
  description: 'The archived versions of a profile (one per complete profile run), newest first, with when each was profiled; read one with skvm://profiles/{harness}/{model}?version=<version>.',
  mimeType: MIME,
  uri: 'skvm://profiles/{harness}/{model}/versions',
  complete: { harness: completeHarness, model: completeModel },
  async read(engine, uri, vars) {
    const { dir, ref } = await profileRef(engine, vars);
    const versions = await (await store()).listVersions(dir, ref.harness, ref.dirName);
    return { uri: uri.href, mimeType: MIME, text: JSON.stringify(versions, null, 2) };
  },
});

/** `skvm://profiles/{harness}/{model}/failures`: the failure-reports.json sidecar of the last run. */
export const profileFailuresResource = defineResource({
  name: 'profile-failures',
  title: 'Capability profile failure reports',
  description: 'Why probes failed in the last profile run (failure-reports.json): per primitive and level, the agent’s steps, tool calls, file changes and the check’s details, with each instance’s seed.',
  mimeType: MIME,
  uri: 'skvm://profiles/{harness}/{model}/failures',
  complete: { harness: completeHarness, model: completeModel },
  async read(engine, uri, vars) {
    const { dir, ref } = await profileRef(engine, vars);
    const reports = await (await store()).loadFailureReports(dir, ref.harness, ref.dirName);
    return { uri: uri.href, mimeType: MIME, text: JSON.stringify(reports ?? { profiledAt: null, reports: {} }, null, 2) };
  },
});
