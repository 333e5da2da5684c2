const { GENERATOR_MODULES } = await import('./dist/src/engine/profiler/generators/modules.js').catch(() => ({}));
const mod = await import('./dist/src/engine/profiler/generators/tool.file.read.js');
const g = Object.values(mod).find((v) => v && typeof v.generate === 'function');
for (let i = 0; i < 20; i++) g.generate('L3', 1000 + i);
const t0 = performance.now(); for (let i = 0; i < 30; i++) g.generate('L3', 2000 + i); console.log('per', ((performance.now() - t0) / 30).toFixed(2));
const t1 = performance.now(); g.generate('L3', 5); console.log('one cold-ish', (performance.now() - t1).toFixed(2));
