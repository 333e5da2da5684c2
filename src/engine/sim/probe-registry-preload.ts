import { installProbeObserver } from '../profiler/probe-hooks.js';
import { probeRegistryObserver, SIM_REGISTRY_ENV } from './policies/planted.js';

/**
 * A Node preload (`node --import <PROBE_REGISTRY_PRELOAD> …`) that lets a planted-capability
 * simulator in another process know the probes of this process's profiles: when
 * SKVM_SIM_PROBE_REGISTRY names a directory, every probe is registered there. The demo, the
 * tests and bench:profile start servers and CLIs with it; nothing else loads it.
 */
const dir = process.env[SIM_REGISTRY_ENV];
if (dir) installProbeObserver(probeRegistryObserver(dir));
