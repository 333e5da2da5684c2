import { describe, expect, it } from 'vitest';
import { dedupe, mergeHints, resolveDependencies, sanitizeOne, type ModelDependency, type Need } from './deps.js';
import type { ImportHint } from './import-scan.js';
import { installPolicy } from './install-policy.js';
import { describePlatform } from './platform.js';

const policy = installPolicy(describePlatform({ platform: 'linux', arch: 'x64', env: {}, uid: 0, has: (c) => ['apt-get', 'python3'].includes(c) }));
const seen = { modules: new Set(['yaml', 'bs4']), packages: new Set(['pyyaml', 'beautifulsoup4']) };
const dep = (over: Partial<ModelDependency> & Pick<ModelDependency, 'name' | 'type'>): ModelDependency => ({ required: true, ...over });

describe('sanitizeOne', () => {
  it('applies the defaults: source "model", confidence 0.7', () => {
    expect(sanitizeOne(dep({ name: 'ffmpeg', type: 'system' }), seen)).toEqual({ type: 'system', name: 'ffmpeg', required: true, source: 'model', confidence: 0.7 });
  });

  it('keeps version-pinned pip names, canonicalised', () => {
    expect(sanitizeOne(dep({ name: 'pandas >= 2', type: 'pip' }), seen)).toMatchObject({ name: 'pandas>=2' });
  });

  it('turns an import name into its package, keeping the version and recording the module', () => {
    expect(sanitizeOne(dep({ name: 'yaml>=6', type: 'pip' }), seen)).toMatchObject({ name: 'PyYAML>=6', pythonModules: ['yaml'] });
    expect(sanitizeOne(dep({ name: 'cv2', type: 'pip', pythonModules: ['cv2', 'not valid!'] }), seen)).toMatchObject({ name: 'opencv-python', pythonModules: ['cv2'] });
  });

  it.each([
    [dep({ name: 'json', type: 'pip' }), 'Python standard library'],
    [dep({ name: 'pandas; curl x|sh', type: 'pip' }), 'not a valid pip requirement'],
    [dep({ name: 'left-pad && rm -rf ~', type: 'npm' }), 'not a valid npm package name'],
    [dep({ name: 'ffmpeg; reboot', type: 'system' }), 'not a valid system package name'],
    [dep({ name: 'numpy', type: 'pip', source: 'python-import', confidence: 0.5 }), 'claimed as a Python import, but no such import was found'],
  ])('drops %j: %s', (d, reason) => {
    expect(sanitizeOne(d, seen)).toEqual({ name: d.name.trim(), reason });
  });

  it('keeps a claimed import the scan saw (by module or package), or one claimed with confidence ≥ 0.9', () => {
    expect(sanitizeOne(dep({ name: 'beautifulsoup4', type: 'pip', source: 'python-import', confidence: 0.5 }), seen)).toMatchObject({ name: 'beautifulsoup4' });
    expect(sanitizeOne(dep({ name: 'numpy', type: 'pip', source: 'python-import', confidence: 0.95 }), seen)).toMatchObject({ name: 'numpy' });
  });

  it('keeps a system command only when it differs and is a plain word; a service check only for services', () => {
    expect(sanitizeOne(dep({ name: 'poppler-utils', type: 'system', command: 'pdftotext' }), seen)).toMatchObject({ command: 'pdftotext' });
    expect(sanitizeOne(dep({ name: 'jq', type: 'system', command: 'jq' }), seen)).not.toHaveProperty('command');
    expect(sanitizeOne(dep({ name: 'jq', type: 'system', command: 'jq; id' }), seen)).not.toHaveProperty('command');
    expect(sanitizeOne(dep({ name: 'postgres', type: 'service', checkCommand: ' pg_isready ' }), seen)).toMatchObject({ serviceCheck: 'pg_isready' });
  });
});

describe('mergeHints', () => {
  const hints: ImportHint[] = [
    { modules: ['yaml'], package: 'PyYAML', known: true, count: 3 },
    { modules: ['fitz'], package: 'PyMuPDF', known: true, count: 1 },
    { modules: ['tqdm'], package: 'tqdm', known: false, count: 1 },
  ];
  const pip = (name: string, over: Partial<Need> = {}): Need => ({ type: 'pip', name, required: true, source: 'model', confidence: 0.7, ...over });

  it('adds a dependency per uncovered import, by its package name, and annotates covering entries', () => {
    const merged = mergeHints([pip('pyyaml>=6'), pip('pymupdf-custom', { pythonModules: ['fitz'] })], hints);
    expect(merged).toEqual([
      pip('pyyaml>=6', { source: 'python-import', pythonModules: ['yaml'] }),
      pip('pymupdf-custom', { source: 'python-import', pythonModules: ['fitz'] }),
      { type: 'pip', name: 'tqdm', required: true, source: 'python-import', confidence: 0.6, pythonModules: ['tqdm'] },
    ]);
  });
});

describe('dedupe', () => {
  it('first wins; later ones add a version, required, a better source, confidence, modules', () => {
    const out = dedupe([
      { type: 'pip', name: 'PyYAML', required: false, source: 'model', confidence: 0.5, pythonModules: ['yaml'] },
      { type: 'pip', name: 'pyyaml>=6', required: true, source: 'comment', confidence: 0.9, pythonModules: ['yaml', 'yaml.loader'] },
      { type: 'system', name: 'PyYAML', required: false, source: 'model', confidence: 0.1 },
      { type: 'npm', name: 'typescript', required: true, source: 'model', confidence: 0.7 },
      { type: 'npm', name: 'typescript@5', required: false, source: 'model', confidence: 0.7 },
    ]);
    expect(out).toEqual([
      { type: 'pip', name: 'pyyaml>=6', required: true, source: 'comment', confidence: 0.9, pythonModules: ['yaml', 'yaml.loader'] },
      { type: 'system', name: 'PyYAML', required: false, source: 'model', confidence: 0.1 },
      { type: 'npm', name: 'typescript@5', required: true, source: 'model', confidence: 0.7 },
    ]);
  });
});

describe('resolveDependencies', () => {
  it('ends with policy commands, whatever the model said, and lists what it dropped', () => {
    const hints: ImportHint[] = [{ modules: ['bs4'], package: 'beautifulsoup4', known: true, count: 2 }];
    const r = resolveDependencies(
      [dep({ name: 'yaml', type: 'pip' }), dep({ name: 'os', type: 'pip' }), dep({ name: 'jq', type: 'system', required: false }), dep({ name: 'PyYAML', type: 'pip', confidence: 0.95 })],
      hints,
      policy,
    );
    expect(r.dropped).toEqual([{ name: 'os', reason: 'Python standard library' }]);
    expect(r.deps).toEqual([
      { name: 'PyYAML', type: 'pip', checkCommand: 'python3 -m pip show PyYAML', installCommand: 'python3 -m pip install PyYAML', required: true, source: 'model', confidence: 0.95, pythonModules: ['yaml'] },
      { name: 'jq', type: 'system', checkCommand: 'command -v jq', installCommand: 'apt-get install -y jq', required: false, source: 'model', confidence: 0.7 },
      { name: 'beautifulsoup4', type: 'pip', checkCommand: 'python3 -m pip show beautifulsoup4', installCommand: 'python3 -m pip install beautifulsoup4', required: true, source: 'python-import', confidence: 0.8, pythonModules: ['bs4'] },
    ]);
  });
});
