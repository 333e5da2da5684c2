import { defineResource } from '../src/contract/resource.js';
import type { Engine } from '../src/engine/engine.js';
import { UsageError } from '../src/engine/util/errors.js';
import { completions, decode } from './uri-vars.js';
import { mimeOf } from './variants.js';

/**
 * Proposals as resources. The id `<harness>/<model>/<skill>/<timestamp>` is the URI path
 * itself, one template variable per segment: `skvm://proposals/<id>`, `…/<id>/diff` and
 * `…/<id>/rounds/<n>/<path>`.
 */

const JSON_MIME = 'application/json';
/** Proposals listed as resources (newest first); proposals_list filters the rest. */
const LIST_LIMIT = 200;
const ID_VARS = ['harness', 'model', 'skill', 'timestamp'] as const;

const engineModules = async () => {
  const [list, paths, show, diff, files] = await Promise.all([
    import('../src/engine/proposals/list.js'),
    import('../src/engine/proposals/paths.js'),
    import('../src/engine/proposals/show.js'),
    import('../src/engine/proposals/diff.js'),
    import('../src/engine/proposals/files.js'),
  ]);
  return { ...list, ...paths, ...show, ...diff, ...files };
};

function idOf(vars: Record<string, string>): string {
  return ID_VARS.map((k) => decode(vars[k] ?? '')).join('/');
}

/** Each id variable completes from the proposals matching the ones already given. */
function completer(field: (typeof ID_VARS)[number]) {
  return async (engine: Engine, value: string, args: Record<string, string>): Promise<string[]> => {
    const m = await engineModules();
    const root = engine.roots.proposals.value;
    const ids = (await m.proposalDirs(root)).map((d) => m.proposalIdFromDir(root, d).split('/'));
    const idx = ID_VARS.indexOf(field);
    const matching = ids.filter((segs) => ID_VARS.every((k, i) => k === field || !args[k] || segs[i] === decode(args[k])));
    return completions(matching.map((segs) => segs[idx]!), decode(value));
  };
}
const complete = Object.fromEntries(ID_VARS.map((k) => [k, completer(k)])) as Record<(typeof ID_VARS)[number], ReturnType<typeof completer>>;

export const proposalResource = defineResource({
  name: 'proposal',
  title: 'Skill-optimization proposal',
  description:
    'One jit_optimize proposal: meta.json (status, models, source, best round and why), the rounds with scores and cost, ' +
    'the optimizer’s root cause and changed files per round, an evidence summary per round, the deployment in effect, ' +
    'and each round’s files (readable at <this uri>/rounds/<n>/<path>). The whole diff of the best round is at <this uri>/diff.',
  mimeType: JSON_MIME,
  uri: 'skvm://proposals/{harness}/{model}/{skill}/{timestamp}',
  async list(engine) {
    const m = await engineModules();
    const { proposals } = await m.listProposals(engine.roots.proposals.value);
    return proposals.slice(0, LIST_LIMIT).map((p) => ({
      uri: m.proposalUri(p.id),
      name: p.id,
      title: `${p.meta.skillName} for ${p.meta.targetModel} on ${p.meta.harness} (${p.meta.status})`,
      description: `Best round ${p.meta.bestRound} of ${p.meta.roundCount}${p.deltaTrain !== null ? `, Δtrain ${p.deltaTrain >= 0 ? '+' : ''}${p.deltaTrain.toFixed(3)}` : ''}; created ${p.createdAt}`,
      mimeType: JSON_MIME,
    }));
  },
  complete,
  async read(engine, uri, vars) {
    const m = await engineModules();
    const id = idOf(vars);
    const dir = await m.findProposal(engine.roots.proposals.value, id);
    const d = await m.readProposalDetails(dir);
    const rounds = await Promise.all(
      d.roundDirs.map(async (n) => ({ round: n, files: (await m.roundFiles(dir, n)).map((rel) => ({ path: rel, uri: m.proposalRoundFileUri(id, n, rel) })) })),
    );
    const body = { id, dir, meta: d.meta, schemaVersion: d.schemaVersion, rounds: d.rounds, history: d.entries, evidence: d.evidence, deployment: d.deployment ?? null, roundFiles: rounds, diff: m.proposalDiffUri(id) };
    return { uri: uri.href, mimeType: JSON_MIME, text: JSON.stringify(body, null, 2) };
  },
});

export const proposalDiffResource = defineResource({
  name: 'proposal-diff',
  title: 'Diff of a proposal round',
  description:
    'The whole unified diff of a proposal round: <proposal uri>/diff is the best round against the original skill; ' +
    'append ?round=<n> for another round and &against=deployed to diff against the skill folder as it is now.',
  mimeType: 'text/x-diff',
  // The last variable is the literal "diff"; a variable (not literal text) lets a ?query follow it.
  uri: 'skvm://proposals/{harness}/{model}/{skill}/{timestamp}/{view}',
  complete: { ...complete, view: async () => ['diff'] },
  async read(engine, uri, vars) {
    const m = await engineModules();
    const [view, query = ''] = decode(vars.view ?? '').split('?');
    if (view !== 'diff') throw new UsageError(`"${view}" is not a view of a proposal.`, 'Read <proposal uri>/diff, or <proposal uri>/rounds/<n>/<path> for a file.');
    const params = new URLSearchParams(uri.search || (query ? `?${query}` : ''));
    const roundText = params.get('round');
    const round = roundText === null ? undefined : Number(roundText);
    if (round !== undefined && !(Number.isInteger(round) && round >= 0)) throw new UsageError(`"${roundText}" is not a round number.`);
    const against = params.get('against') ?? 'original';
    if (against !== 'original' && against !== 'deployed') throw new UsageError(`against must be "original" or "deployed", not "${against}".`);
    const id = idOf(vars);
    const d = await m.diffProposal(await m.findProposal(engine.roots.proposals.value, id), id, { round, against });
    return { uri: uri.href, mimeType: 'text/x-diff', text: d.patch || `(round ${d.round} is identical to the ${against} skill)\n` };
  },
});

export const proposalRoundFileResource = defineResource({
  name: 'proposal-round-file',
  title: 'File of a proposal round',
  description: 'A text file of one round of a proposal (round 0 is the original skill), e.g. <proposal uri>/rounds/1/SKILL.md (up to 256 KiB; binary files are not served).',
  mimeType: 'text/plain',
  uri: 'skvm://proposals/{harness}/{model}/{skill}/{timestamp}/rounds/{round}/{+path}',
  complete: {
    ...complete,
    async round(engine, value, args) {
      const m = await engineModules();
      const dir = await m.findProposal(engine.roots.proposals.value, idOf(args)).catch(() => undefined);
      return dir ? completions((await m.readProposalDetails(dir)).roundDirs.map(String), value) : [];
    },
    async path(engine, value, args) {
      const m = await engineModules();
      const dir = await m.findProposal(engine.roots.proposals.value, idOf(args)).catch(() => undefined);
      const round = Number(args.round);
      return dir && Number.isInteger(round) ? completions(await m.roundFiles(dir, round), decode(value)) : [];
    },
  },
  // `path` arrives decoded from the server; decoding again would corrupt names holding "%".
  async read(engine, uri, vars) {
    const m = await engineModules();
    const id = idOf(vars);
    const round = Number(decode(vars.round ?? ''));
    if (!Number.isInteger(round) || round < 0) throw new UsageError(`"${vars.round}" is not a round number.`);
    const file = await m.readRoundFile(await m.findProposal(engine.roots.proposals.value, id), id, round, vars.path ?? '');
    return { uri: uri.href, mimeType: mimeOf(file.path), text: file.text };
  },
});
