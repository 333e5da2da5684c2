import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDirs } from '../../../../../test/tmp.js';
import { bundleContext, MAX_CONTEXT_CHARS, MAX_FILE_BYTES, readBundle } from './bundle.js';

const tmp = tempDirs('skvm-bindenv-bundle-');

async function write(root: string, files: Record<string, string | Buffer>): Promise<void> {
  for (const [rel, content] of Object.entries(files)) {
    await fsp.mkdir(path.dirname(path.join(root, rel)), { recursive: true });
    await fsp.writeFile(path.join(root, rel), content);
  }
}

describe('readBundle', () => {
  it('reads the bundle’s text files and leaves out compiler output, VCS, packages, binaries and large files', async () => {
    const root = tmp();
    await write(root, {
      'SKILL.md': '# skill',
      'scripts/run.py': 'import yaml',
      'docs/env-setup.sh': 'nested files of that name are the skill’s own',
      'env-setup.sh': 'apt-get install -y old-dep',
      'compilation-plan.json': '{}',
      'meta.json': '{}',
      'workflow-dag.md': 'x',
      '.skvm-env-setup-attempt-2.sh': 'old attempt',
      '_artifacts/deps.json': '[]',
      '_profiling/x.txt': 'x',
      'node_modules/a/index.js': 'x',
      '.git/HEAD': 'ref',
      'logo.png': 'not really png',
      'data.txt': Buffer.from([104, 0, 105]),
      'big.txt': 'x'.repeat(MAX_FILE_BYTES + 1),
    });
    const b = await readBundle(root);
    expect(b.files.map((f) => f.rel)).toEqual(['docs/env-setup.sh', 'scripts/run.py']);
    expect(b.notes).toEqual(['skipped big.txt: larger than 64 KB']);
  });
});

describe('bundleContext', () => {
  it('puts SKILL.md first and lists files past the budget instead of cutting them', () => {
    const files = [
      { rel: 'a.py', content: 'import yaml' },
      { rel: 'huge.md', content: 'y'.repeat(MAX_CONTEXT_CHARS) },
      { rel: 'b.py', content: 'import cv2' },
    ];
    const c = bundleContext('# skill', { files, notes: [] });
    expect(c.text).toBe('--- SKILL.md ---\n# skill\n\n--- a.py ---\nimport yaml\n\n--- b.py ---\nimport cv2');
    expect(c.leftOut).toEqual(['huge.md']);
  });
});
