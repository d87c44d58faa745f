import { Backoff, backoffDelay, sleep } from './backoff';
import { ItemExponentialRateLimiter } from './rate-limiter';

describe('backoff', () => {
  it('doubles from the initial delay up to the cap', () => {
    const options = { initialMs: 800, maxMs: 30_000 };
    expect([1, 2, 3, 4, 5, 6, 7, 100, 100_000].map((n) => backoffDelay(options, n))).toEqual([
      800, 1600, 3200, 6400, 12_800, 25_600, 30_000, 30_000, 30_000,
    ]);
    expect(backoffDelay(options, 0)).toBe(0);
  });

  it('adds at most the jitter fraction at random, never beyond the jittered cap', () => {
    const options = { initialMs: 100, maxMs: 1000, jitter: 0.5 };
    expect(backoffDelay(options, 1, () => 0)).toBe(100);
    expect(backoffDelay(options, 1, () => 1)).toBe(150);
    expect(backoffDelay(options, 50, () => 1)).toBe(1500);
  });

  it('counts consecutive failures until a success resets them', () => {
    const b = new Backoff({ initialMs: 10, maxMs: 1000 });
    expect([b.fail(), b.fail(), b.fail()]).toEqual([10, 20, 40]);
    b.succeed();
    expect(b.fail()).toBe(10);
    expect(b.consecutiveFailures).toBe(1);
  });

  it('sleeps until aborted, then rejects with the reason', async () => {
    const controller = new AbortController();
    const slept = sleep(60_000, controller.signal);
    controller.abort(new Error('stop'));
    await expect(slept).rejects.toThrow('stop');
    await expect(sleep(1)).resolves.toBeUndefined();
  });
});

describe('per-key exponential rate limiter', () => {
  it('backs each key off on its own, 5 ms doubling, capped, until forgotten', () => {
    const limiter = new ItemExponentialRateLimiter<string>({ maxDelayMs: 1000 });
    expect([limiter.when('a'), limiter.when('a'), limiter.when('a')]).toEqual([5, 10, 20]);
    expect(limiter.when('b')).toBe(5);
    expect(limiter.numRequeues('a')).toBe(3);
    for (let i = 0; i < 20; i++) limiter.when('a');
    expect(limiter.when('a')).toBe(1000);
    limiter.forget('a');
    expect(limiter.numRequeues('a')).toBe(0);
    expect(limiter.when('a')).toBe(5);
  });
});
