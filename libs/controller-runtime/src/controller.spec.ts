import { Controller, objectKey, splitKey } from './controller';
import { ItemExponentialRateLimiter } from './rate-limiter';
import { WorkQueue } from './workqueue';

function deferred<T = void>() {
  let resolve!: (v: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

const tick = () => new Promise((r) => setImmediate(r));

describe('Controller', () => {
  it('keys objects as client-go does', () => {
    expect(objectKey({ metadata: { name: 'lv1' } })).toBe('lv1');
    expect(objectKey({ metadata: { name: 'pvc', namespace: 'ns' } })).toBe('ns/pvc');
    expect(splitKey('ns/pvc')).toEqual({ namespace: 'ns', name: 'pvc' });
    expect(splitKey('lv1')).toEqual({ name: 'lv1' });
  });

  it('reconciles different keys concurrently up to the bound, never one key twice at once', async () => {
    let running = 0;
    let maxRunning = 0;
    const perKey = new Map<string, number>();
    const gates: (() => void)[] = [];
    const controller = new Controller<string>({
      name: 'test',
      concurrency: 3,
      reconcile: async (key) => {
        running += 1;
        maxRunning = Math.max(maxRunning, running);
        perKey.set(key, (perKey.get(key) ?? 0) + 1);
        expect(perKey.get(key)).toBe(1);
        const gate = deferred();
        gates.push(gate.resolve);
        await gate.promise;
        perKey.set(key, (perKey.get(key) ?? 0) - 1);
        running -= 1;
      },
    });
    controller.start();
    for (const k of ['a', 'b', 'c', 'd', 'e', 'a', 'a']) controller.enqueue(k);
    await tick();
    expect(running).toBe(3);
    while (gates.length > 0 || running > 0) {
      gates.splice(0).forEach((g) => g());
      await tick();
    }
    expect(maxRunning).toBe(3);
    await controller.stop();
  });

  it('reconciles again a key that changed while it was being reconciled', async () => {
    const seen: string[] = [];
    const gate = deferred();
    let version = 1;
    const controller = new Controller<string>({
      name: 'test',
      reconcile: async (key) => {
        seen.push(`${key}@${version}`);
        if (seen.length === 1) await gate.promise;
      },
    });
    controller.start();
    controller.enqueue('lv');
    await tick();
    version = 2;
    controller.enqueue('lv');
    gate.resolve();
    await tick();
    await tick();
    expect(seen).toEqual(['lv@1', 'lv@2']);
    await controller.stop();
  });

  it('retries a failing key with growing backoff and forgets the failures on success', async () => {
    const attempts: number[] = [];
    const start = Date.now();
    const queue = new WorkQueue<string>({ rateLimiter: new ItemExponentialRateLimiter({ baseDelayMs: 20 }) });
    const done = deferred();
    const controller = new Controller<string>({
      name: 'test',
      queue,
      reconcile: async () => {
        attempts.push(Date.now() - start);
        if (attempts.length < 4) throw new Error('lvmd unavailable');
        done.resolve();
      },
    });
    controller.start();
    controller.enqueue('lv');
    await done.promise;
    await tick();
    expect(queue.numRequeues('lv')).toBe(0);
    // gaps of at least 20, 40, 80 ms
    const gaps = attempts.slice(1).map((t, i) => t - (attempts[i] as number));
    expect(gaps[0]).toBeGreaterThanOrEqual(19);
    expect(gaps[1]).toBeGreaterThanOrEqual(39);
    expect(gaps[2]).toBeGreaterThanOrEqual(79);
    await controller.stop();
  });

  it('honours requeueAfterMs', async () => {
    let calls = 0;
    const twice = deferred();
    const controller = new Controller<string>({
      name: 'test',
      reconcile: async () => {
        calls += 1;
        if (calls === 2) twice.resolve();
        return calls === 1 ? { requeueAfterMs: 10 } : undefined;
      },
    });
    controller.start();
    controller.enqueue('x');
    await twice.promise;
    expect(calls).toBe(2);
    await controller.stop();
  });

  it('drains on stop: queued keys are still reconciled, in-flight ones finish', async () => {
    const seen: string[] = [];
    const gate = deferred();
    const controller = new Controller<string>({
      name: 'test',
      reconcile: async (key) => {
        if (key === 'a') await gate.promise;
        seen.push(key);
      },
    });
    controller.start();
    controller.enqueue('a');
    controller.enqueue('b');
    await tick();
    const stopped = controller.stop();
    controller.enqueue('c');
    gate.resolve();
    await stopped;
    expect(seen).toEqual(['a', 'b']);
  });

  it('without draining, drops queued keys and aborts the in-flight reconcile', async () => {
    const seen: string[] = [];
    let aborted = false;
    const controller = new Controller<string>({
      name: 'test',
      reconcile: async (key, signal) => {
        seen.push(key);
        await new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
        aborted = signal.aborted;
      },
    });
    const lost = new AbortController();
    controller.start(lost.signal);
    controller.enqueue('a');
    controller.enqueue('b');
    await tick();
    lost.abort();
    await controller.stop();
    expect(seen).toEqual(['a']);
    expect(aborted).toBe(true);
  });

  it('enqueues the keys of what an event source adds, updates and deletes', async () => {
    const handlers: Record<string, (o: { metadata: { name: string } }) => void> = {};
    const source = { on: (verb: string, cb: (o: { metadata: { name: string } }) => void) => (handlers[verb] = cb) };
    const seen: string[] = [];
    const controller = new Controller<string>({ name: 'test', reconcile: async (k) => void seen.push(k) });
    controller.watch(source);
    handlers['add']?.({ metadata: { name: 'x' } });
    handlers['update']?.({ metadata: { name: 'x' } });
    handlers['delete']?.({ metadata: { name: 'y' } });
    controller.start();
    await tick();
    await controller.stop();
    expect(seen).toEqual(['x', 'y']);
  });
});
