import { describe, expect, it } from 'vitest';
import type { ProfileManyResult } from './profile.js';
import { profileSessionOutcome, profileSessionStart } from './session-entry.js';

describe('profile sessions in sessions.jsonl', () => {
  const now = new Date(2026, 0, 2, 3, 4, 5);
  it('one job: tagged <harness>-<shortModel>, its profile log dir relative to the cache', () => {
    expect(profileSessionStart([{ model: 'openrouter/qwen/qwen3.5-35b-a3b', harness: 'bare-agent' }], { logs: '/c/log', cache: '/c' }, now)).toEqual({
      id: '20260102-030405-profile-bare-agent-qwen3.5-35b',
      type: 'profile',
      startedAt: now.toISOString(),
      logDir: 'log/profile/bare-agent/openrouter--qwen--qwen3.5-35b-a3b',
      models: ['openrouter/qwen/qwen3.5-35b-a3b'],
      harness: 'bare-agent',
    });
  });

  it('several jobs: tagged <J>j-<harnesses>, the profile log root', () => {
    const s = profileSessionStart(
      [
        { model: 'a/m1', harness: 'bare-agent' },
        { model: 'a/m2', harness: 'bare-agent' },
      ],
      { logs: '/elsewhere/log', cache: '/c' },
      now,
    );
    expect(s).toMatchObject({ id: '20260102-030405-profile-2j-bare-agent', logDir: '/elsewhere/log/profile', models: ['a/m1', 'a/m2'] });
  });

  it('fails when any job failed, naming it; otherwise counts profiled and cached', () => {
    const ok = (cached: boolean) => ({ model: 'a/m', harness: 'bare-agent', ok: true as const, result: { cached } });
    const res = (jobs: unknown[]) => ({ jobs, concurrency: [] }) as unknown as ProfileManyResult;
    expect(profileSessionOutcome(res([ok(false), ok(true)]))).toEqual({ summary: '2 profiles (1 profiled, 1 cached)' });
    expect(profileSessionOutcome(res([ok(false), { model: 'b/x', harness: 'bare-agent', ok: false, error: new Error('no'), message: 'no route' }]))).toEqual({ error: 'b/x (bare-agent): no route' });
  });
});
