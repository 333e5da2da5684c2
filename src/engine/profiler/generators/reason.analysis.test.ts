import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { describeGeneratorSuite, passes } from '../../../../test/profiler/generator-suite.js';
import { analysisL1CaseFor, analysisL2CaseFor, analysisL3CaseFor, generator } from './reason.analysis.js';

describeGeneratorSuite('reason.analysis', generator);

describe('reason.analysis cases and answers', () => {
  it('L1 expected values match what Python / Node actually return', () => {
    const cases = Array.from({ length: 40 }, (_, i) => analysisL1CaseFor(i + 1));
    const py = cases.filter((c) => c.lang === 'python');
    const js = cases.filter((c) => c.lang === 'javascript');
    // One interpreter per language: each case runs in its own namespace / function scope.
    const pyScript = `import json\nout = []\n${py.map((c) => `ns = {}\nexec(${JSON.stringify(c.code)}, ns)\nout.append(eval(${JSON.stringify(c.callText)}, ns))`).join('\n')}\nprint(json.dumps(out))`;
    const jsScript = `const out = [];\n${js.map((c) => `out.push((() => {\n${c.code}\nreturn ${c.callText};\n})());`).join('\n')}\nconsole.log(JSON.stringify(out));`;
    const pyOut = JSON.parse(execFileSync('python3', ['-c', pyScript], { encoding: 'utf8' })) as unknown[];
    const jsOut = JSON.parse(execFileSync('node', ['-e', jsScript], { encoding: 'utf8' })) as unknown[];
    py.forEach((c, i) => expect(pyOut[i], `${c.code}\n${c.callText}`).toEqual(c.expected));
    js.forEach((c, i) => expect(jsOut[i], `${c.code}\n${c.callText}`).toEqual(c.expected));
    expect(py.length).toBeGreaterThan(5);
    expect(js.length).toBeGreaterThan(5);
    for (let seed = 1; seed <= 40; seed++) expect(generator.generate('L1', seed).prompt).toContain(cases[seed - 1]!.code);
  });

  it('L2 files: the wrong line breaks a documented behaviour and fixing it restores every one', () => {
    const cases = Array.from({ length: 40 }, (_, i) => analysisL2CaseFor(i + 1));
    const checks = cases.flatMap((c) => [
      { text: c.text, own: c.asserts, others: c.otherAsserts },
      { text: c.fixedText, own: c.asserts, others: c.otherAsserts },
    ]);
    const script = `import json, sys
cases = json.loads(sys.stdin.read())
def ok(expr, ns):
    try:
        return bool(eval(expr, ns))
    except Exception:
        return False
res = []
for c in cases:
    ns = {}
    exec(c["text"], ns)
    res.append({"own": [ok(a, ns) for a in c["own"]], "others": [ok(a, ns) for a in c["others"]]})
print(json.dumps(res))`;
    const res = JSON.parse(execFileSync('python3', ['-c', script], { encoding: 'utf8', input: JSON.stringify(checks), timeout: 30_000 })) as Array<{ own: boolean[]; others: boolean[] }>;
    cases.forEach((c, i) => {
      const buggy = res[2 * i]!;
      const fixed = res[2 * i + 1]!;
      expect(buggy.own.some((x) => !x), `seed ${i + 1}: the wrong line should break an assert\n${c.text}`).toBe(true);
      expect(buggy.others.every(Boolean), `seed ${i + 1}: the other functions are correct\n${c.text}`).toBe(true);
      expect(fixed.own.every(Boolean) && fixed.others.every(Boolean), `seed ${i + 1}: the fixed file is correct\n${c.fixedText}`).toBe(true);
      expect(Object.values(generator.generate('L2', i + 1).setupFiles)[0]).toBe(c.text);
    });
  });

  it('L3 programs fail with exactly the traceback shown, and the root-cause fix makes them run', () => {
    const cases = Array.from({ length: 40 }, (_, i) => analysisL3CaseFor(i + 1));
    const root = mkdtempSync(path.join(tmpdir(), 'analysis-l3-'));
    try {
      const runs: Array<{ dir: string; modules: string[] }> = [];
      cases.forEach((c, i) => {
        for (const [which, files] of [
          ['broken', c.files],
          ['fixed', c.fixedFiles],
        ] as const) {
          const dir = path.join(root, `${i + 1}-${which}`);
          for (const [rel, text] of Object.entries(files)) {
            mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
            writeFileSync(path.join(dir, rel), text);
          }
          runs.push({ dir, modules: Object.keys(files).filter((f) => f.endsWith('.py')).map((f) => f.slice(0, -3)) });
        }
      });
      // One interpreter runs every program as __main__ in its own directory (modules reloaded each time).
      const script = `import contextlib, io, json, os, runpy, sys, traceback
runs = json.loads(sys.stdin.read())
res = []
for r in runs:
    os.chdir(r["dir"])
    sys.path.insert(0, r["dir"])
    for m in r["modules"]:
        sys.modules.pop(m, None)
    try:
        with contextlib.redirect_stdout(io.StringIO()):
            runpy.run_path(os.path.join(r["dir"], "main.py"), run_name="__main__")
        res.append({"ok": True})
    except Exception as e:
        tb = [f for f in traceback.extract_tb(e.__traceback__) if f.filename.startswith(r["dir"] + os.sep)]
        frames = [{"file": os.path.basename(f.filename), "line": f.lineno, "fn": f.name} for f in tb]
        res.append({"ok": False, "frames": frames, "error": traceback.format_exception_only(type(e), e)[-1].strip()})
    sys.path.pop(0)
print(json.dumps(res))`;
      const res = JSON.parse(execFileSync('python3', ['-c', script], { encoding: 'utf8', input: JSON.stringify(runs), timeout: 30_000 })) as Array<{ ok: boolean; frames?: unknown[]; error?: string }>;
      cases.forEach((c, i) => {
        const broken = res[2 * i]!;
        const fixed = res[2 * i + 1]!;
        expect(broken.ok, `seed ${i + 1} (${c.kind}) should fail`).toBe(false);
        expect(broken.frames, `seed ${i + 1} (${c.kind})\n${c.traceback}`).toEqual(c.frames);
        expect(broken.error).toBe(c.errorLine);
        expect(fixed, `seed ${i + 1} (${c.kind}) fixed`).toEqual({ ok: true });
        expect(c.root.file).not.toBe(c.raise.file);
        expect(generator.generate('L3', i + 1).prompt).toContain(c.traceback);
      });
      expect(new Set(cases.map((c) => c.kind)).size).toBe(6);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('L3 accepts common spellings of file and line', async () => {
    const inst = generator.generate('L3', 2);
    const c = analysisL3CaseFor(2);
    for (const t of [`**${c.root.file}:${c.root.line}**`, `\`${c.root.file}\`, line ${c.root.line}`, `./${c.root.file}:${c.root.line}`]) {
      expect(await passes(inst, `Because…\n\n${t}`), t).toBe(true);
    }
    expect(await passes(inst, `${c.raise.file}:${c.raise.line}`)).toBe(false);
  });
});
