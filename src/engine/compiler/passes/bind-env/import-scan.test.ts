import { describe, expect, it } from 'vitest';
import { importsOfLine, localModules, pythonFenceLines, scanPythonImports } from './import-scan.js';
import { resolveImport } from './package-map.js';
import { isStdlibModule, PYTHON_STDLIB } from './stdlib.js';

describe('importsOfLine', () => {
  it.each([
    ['import a, b as c', ['a', 'b']],
    ['import os.path', ['os.path']],
    ['    from x.y import z', ['x.y']],
    ['from . import sibling', []],
    ['from .mod import thing', []],
    ['import yaml; from PIL import Image  # comment import numpy', ['yaml', 'PIL']],
    ['>>> import pandas as pd', ['pandas']],
    ['important = 1', []],
    ['from x import (a,', ['x']],
    ['# import numpy', []],
  ])('%s', (line, expected) => {
    expect(importsOfLine(line)).toEqual(expected);
  });
});

describe('pythonFenceLines', () => {
  it('reads python and unlabelled fences only, not prose or other languages', () => {
    const md = [
      'Use it like this: import requests',
      '```python',
      'import yaml',
      '```',
      '```js',
      "import fs from 'fs'",
      '```',
      '~~~',
      'from bs4 import BeautifulSoup',
      '~~~',
      '````py',
      '```',
      'import cv2',
      '````',
    ].join('\n');
    expect(pythonFenceLines(md)).toEqual(['import yaml', 'from bs4 import BeautifulSoup', '```', 'import cv2']);
  });
});

describe('the package map', () => {
  it.each([
    ['yaml', 'PyYAML'],
    ['PIL.Image', 'Pillow'],
    ['cv2', 'opencv-python'],
    ['sklearn.model_selection', 'scikit-learn'],
    ['bs4', 'beautifulsoup4'],
    ['docx', 'python-docx'],
    ['pptx', 'python-pptx'],
    ['fitz', 'PyMuPDF'],
    ['dateutil.parser', 'python-dateutil'],
    ['dotenv', 'python-dotenv'],
    ['Crypto.Cipher', 'pycryptodome'],
    ['jwt', 'PyJWT'],
    ['magic', 'python-magic'],
    ['serial', 'pyserial'],
    ['usb.core', 'pyusb'],
    ['google.protobuf.json_format', 'protobuf'],
    ['skimage', 'scikit-image'],
    ['attr', 'attrs'],
    ['OpenSSL', 'pyOpenSSL'],
    ['lxml.etree', 'lxml'],
    ['pdfplumber', 'pdfplumber'],
    ['google.cloud.pubsub_v1', 'google-cloud-pubsub-v1'],
  ])('%s → %s', (mod, pkg) => {
    expect(resolveImport(mod)?.package).toBe(pkg);
  });

  it('an unknown module is its own package; a bare namespace root is none', () => {
    expect(resolveImport('numpy.linalg')).toEqual({ module: 'numpy', package: 'numpy', known: false });
    expect(resolveImport('google')).toBeUndefined();
  });
});

describe('the standard library table', () => {
  it("is Python 3.12's: distutils and asynchat are gone, tomllib is there", () => {
    expect(PYTHON_STDLIB.size).toBe(300);
    for (const m of ['os', 'json', 'tomllib', 'zoneinfo', '__future__', 'xml', 'winreg', '_thread', 'sqlite3', 'tkinter']) expect(isStdlibModule(m), m).toBe(true);
    for (const m of ['distutils', 'asynchat', 'imp', 'yaml', 'numpy', 'requests']) expect(isStdlibModule(m), m).toBe(false);
    expect(isStdlibModule('xml.etree.ElementTree')).toBe(true);
  });
});

describe('scanPythonImports', () => {
  const files = [
    { rel: 'SKILL.md', content: 'Run:\n```python\nimport yaml\nimport json\nfrom helpers import load\n```\nthen import requests in prose.' },
    { rel: 'scripts/run.py', content: 'import os, yaml\nfrom PIL import Image\nimport fitz\nimport pymupdf\nfrom scripts import util\nimport helpers\nimport numpy as np\n' },
    { rel: 'scripts/helpers.py', content: 'import numpy\n' },
    { rel: 'notes.txt', content: 'import pandas' },
  ];

  it('counts third-party imports per package, most used first (ties by package name); drops stdlib, local modules and non-code text', () => {
    expect(scanPythonImports(files)).toEqual([
      { modules: ['numpy'], package: 'numpy', known: false, count: 2 },
      { modules: ['fitz', 'pymupdf'], package: 'PyMuPDF', known: true, count: 2 },
      { modules: ['yaml'], package: 'PyYAML', known: true, count: 2 },
      { modules: ['PIL'], package: 'Pillow', known: true, count: 1 },
    ]);
  });

  it('local modules: file stems and the folders that hold Python files', () => {
    expect([...localModules(files)].sort()).toEqual(['helpers', 'run', 'scripts']);
  });
});
