import type { RunContext, Runner } from './runners/runner';
import { withTimeoutCap } from './runner-set';

describe('withTimeoutCap', () => {
  const seen: number[] = [];
  const runner: Runner = {
    name: 'ollama',
    accepts: (payload) => payload.type === 'inference',
    run: (context) => {
      seen.push(context.timeoutMs);
      return Promise.resolve({ ok: true, result: {}, metrics: { duration_ms: 1 } });
    },
  };
  const context = (timeoutMs: number): RunContext => ({
    jobId: 'a'.repeat(32),
    payload: { type: 'inference' },
    workspace: '/tmp',
    signal: new AbortController().signal,
    timeoutMs,
  });

  it('caps a longer timeout and keeps a shorter one, delegating everything else', async () => {
    const capped = withTimeoutCap(runner, 600_000);
    expect(capped.name).toBe('ollama');
    expect(capped.accepts({ type: 'inference' })).toBe(true);
    expect(capped.accepts({ type: 'cli' })).toBe(false);
    await capped.run(context(3_600_000));
    await capped.run(context(30_000));
    expect(seen).toEqual([600_000, 30_000]);
  });
});
