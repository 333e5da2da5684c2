import { defineResource } from '../src/contract/resource.js';
import { variantFileUri, type VariantKey } from '../src/engine/compiler/paths.js';
import type { Engine } from '../src/engine/engine.js';
import { asDirPrefix, completions, decode } from './uri-vars.js';

const JSON_MIME = 'application/json';
/** Variants listed as resources (newest first); variants_list filters the rest. */
const LIST_LIMIT = 200;

const variants = () => import('../src/engine/compiler/variants.js');

function keyOf(vars: Record<string, string>): VariantKey {
  return { harness: decode(vars.harness ?? ''), model: decode(vars.model ?? ''), skillName: decode(vars.skill ?? ''), passTag: decode(vars.passTag ?? '') };
}

/** Each variable completes from the variants matching the ones already given. */
function completer(field: 'harness' | 'model' | 'skill' | 'passTag') {
  return async (engine: Engine, value: string, args: Record<string, string>): Promise<string[]> => {
    const refs = await (await variants()).listVariantRefs(engine.roots.proposals.value);
    const given = (k: 'harness' | 'model' | 'skill' | 'passTag') => (k !== field && args[k] ? (k === 'model' ? asDirPrefix(args[k]) : decode(args[k])) : undefined);
    const matching = refs.filter((r) => (['harness', 'model', 'skill', 'passTag'] as const).every((k) => {
      const g = given(k);
      return g === undefined || (k === 'model' ? r.model.toLowerCase() === g : r[k] === g);
    }));
    return completions(matching.map((r) => r[field]), field === 'model' ? asDirPrefix(value) : decode(value));
  };
}

const complete = { harness: completer('harness'), model: completer('model'), skill: completer('skill'), passTag: completer('passTag') };

const MIME_BY_EXT: Record<string, string> = {
  '.md': 'text/markdown',
  '.json': JSON_MIME,
  '.jsonl': 'application/x-ndjson',
  '.sh': 'text/x-shellscript',
  '.diff': 'text/x-diff',
  '.py': 'text/x-python',
};

export function mimeOf(rel: string): string {
  const dot = rel.lastIndexOf('.');
  return (dot > rel.lastIndexOf('/') && MIME_BY_EXT[rel.slice(dot).toLowerCase()]) || 'text/plain';
}

/**
 * `skvm://variants/{harness}/{model}/{skill}/{passTag}`: one compiled variant — meta.json, a
 * summary of compilation-plan.json, the gaps it compensates, the validated artifacts present,
 * problems with its files, and its file list (each file a sub-resource).
 */
export const variantResource = defineResource({
  name: 'variant',
  title: 'Compiled skill variant',
  description:
    'A compiled (AOT) skill variant: when and with which passes it was compiled, the guard verdict and violations, ' +
    'per-pass status, tokens and cost, the capability gaps it compensates, and its files — each readable at ' +
    '<this uri>/<path> (e.g. …/SKILL.md). model is the cache directory name (openrouter--qwen--qwen3.5-9b).',
  mimeType: JSON_MIME,
  uri: 'skvm://variants/{harness}/{model}/{skill}/{passTag}',
  async list(engine) {
    const all = await (await variants()).listVariants(engine.roots.proposals.value);
    return all.slice(0, LIST_LIMIT).map((v) => ({
      uri: v.uri,
      name: `${v.harness}/${v.model}/${v.skill}/${v.passTag}`,
      title: `${v.skill} for ${v.model} on ${v.harness} (${v.passTag})`,
      description: `Compiled ${v.compiledAt ?? 'at an unknown time'}; guard ${v.guardPassed === null ? 'unknown' : v.guardPassed ? 'passed' : 'failed'}${v.legacy ? '; legacy flat layout' : ''}`,
      mimeType: JSON_MIME,
    }));
  },
  complete,
  async read(engine, uri, vars) {
    const d = await (await variants()).readVariant(engine.roots.proposals.value, keyOf(vars));
    const s = d.summary;
    const body = {
      harness: s.harness,
      model: s.model,
      skill: s.skill,
      passTag: s.passTag,
      passes: s.passes,
      legacy: s.legacy,
      dir: s.dir,
      meta: s.meta,
      plan: d.plan,
      gaps: d.artifacts.gaps ?? null,
      artifacts: Object.keys(d.artifacts),
      problems: s.problems,
      files: d.files.map((f) => ({ ...f, uri: variantFileUri(s.uri, f.path) })),
      filesTruncated: d.filesTruncated,
      notes: d.notes,
    };
    return { uri: uri.href, mimeType: JSON_MIME, text: JSON.stringify(body, null, 2) };
  },
});

/** `skvm://variants/{harness}/{model}/{skill}/{passTag}/{+path}`: one text file of a variant. */
export const variantFileResource = defineResource({
  name: 'variant-file',
  title: 'File of a compiled skill variant',
  description:
    'A text file of a compiled variant, e.g. SKILL.md, env-setup.sh, workflow-dag.md, compilation-plan.json, _artifacts/gaps.json ' +
    'or _artifacts/SKILL.md.diff (the unified diff of SKILL.md, original → compiled) ' +
    '(files up to 256 KiB; binary files are not served). The variant resource lists its files.',
  mimeType: 'text/plain',
  uri: 'skvm://variants/{harness}/{model}/{skill}/{passTag}/{+path}',
  complete: {
    ...complete,
    async path(engine, value, args) {
      const { findVariant, variantFiles } = await variants();
      const found = await findVariant(engine.roots.proposals.value, keyOf(args)).catch(() => undefined);
      if (!found) return [];
      return completions((await variantFiles(found)).files.map((f) => f.rel), decode(value));
    },
  },
  // `path` arrives decoded from the server; decoding again would corrupt names holding "%".
  async read(engine, uri, vars) {
    const file = await (await variants()).readVariantFile(engine.roots.proposals.value, keyOf(vars), vars.path ?? '');
    return { uri: uri.href, mimeType: mimeOf(file.path), text: file.text };
  },
});
