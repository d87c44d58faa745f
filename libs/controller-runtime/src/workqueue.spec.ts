import { WorkQueue } from './workqueue';

describe('WorkQueue', () => {
  afterEach(() => jest.useRealTimers());

  it('hands keys out in order and collapses a key added while it waits', async () => {
    const q = new WorkQueue<string>();
    q.add('a');
    q.add('b');
    q.add('a');
    expect(q.len()).toBe(2);
    expect(await q.get()).toBe('a');
    expect(await q.get()).toBe('b');
    expect(q.len()).toBe(0);
  });

  it('never hands out a key that is being processed; one added meanwhile comes back after done()', async () => {
    const q = new WorkQueue<string>();
    q.add('a');
    const first = await q.get();
    q.add('a');
    q.add('a');
    expect(q.len()).toBe(0); // held, so not queued a second time
    let second: string | undefined;
    void q.get().then((k) => (second = k));
    await Promise.resolve();
    expect(second).toBeUndefined();
    q.done(first as string);
    await Promise.resolve();
    expect(second).toBe('a');
    q.done('a');
    expect(q.len()).toBe(0); // the two adds while held collapsed into one more round
  });

  it('wakes a waiting get() when a key arrives', async () => {
    const q = new WorkQueue<number>();
    const got = q.get();
    q.add(7);
    await expect(got).resolves.toBe(7);
  });

  it('adds after a delay, keeping the earlier time when a key is delayed twice', async () => {
    jest.useFakeTimers();
    const q = new WorkQueue<string>();
    q.addAfter('a', 1000);
    q.addAfter('a', 100);
    q.addAfter('a', 5000);
    expect(q.len()).toBe(0);
    jest.advanceTimersByTime(99);
    expect(q.len()).toBe(0);
    jest.advanceTimersByTime(1);
    expect(q.len()).toBe(1);
    jest.advanceTimersByTime(10_000);
    expect(q.len()).toBe(1);
  });

  it('backs a failing key off exponentially, and forget() resets it', () => {
    jest.useFakeTimers();
    const q = new WorkQueue<string>();
    const readyAfter = (): number => {
      let elapsed = 0;
      while (q.len() === 0 && elapsed < 100_000) {
        jest.advanceTimersByTime(1);
        elapsed += 1;
      }
      return elapsed;
    };
    const delays: number[] = [];
    for (let i = 0; i < 5; i++) {
      q.addRateLimited('bad');
      delays.push(readyAfter());
      void q.get(); // taken at once (it is queued): hand it back as a failed worker would
      q.done('bad');
    }
    expect(delays).toEqual([5, 10, 20, 40, 80]);
    expect(q.numRequeues('bad')).toBe(5);
    q.forget('bad');
    q.addRateLimited('bad');
    expect(readyAfter()).toBe(5);
  });

  it('on shutDown refuses new keys, still hands out queued ones, then resolves undefined', async () => {
    const q = new WorkQueue<string>();
    q.add('a');
    q.shutDown();
    q.add('b');
    expect(await q.get()).toBe('a');
    expect(await q.get()).toBeUndefined();
    q.done('a');
  });

  it('releases waiting getters on shutDown', async () => {
    const q = new WorkQueue<string>();
    const waiting = [q.get(), q.get()];
    q.shutDown();
    await expect(Promise.all(waiting)).resolves.toEqual([undefined, undefined]);
  });

  it('drains: shutDownWithDrain resolves only once every held key is done', async () => {
    const q = new WorkQueue<string>();
    q.add('a');
    q.add('b');
    const a = await q.get();
    let drained = false;
    const drain = q.shutDownWithDrain().then(() => (drained = true));
    const b = await q.get();
    expect(await q.get()).toBeUndefined();
    q.done(a as string);
    await Promise.resolve();
    expect(drained).toBe(false);
    q.done(b as string);
    await drain;
    expect(drained).toBe(true);
  });

  it('discards what is queued when told to, and drops delayed keys on shutdown', async () => {
    const q = new WorkQueue<string>();
    q.add('a');
    q.add('b');
    q.addAfter('c', 10);
    q.shutDown({ discard: true });
    expect(q.len()).toBe(0);
    expect(await q.get()).toBeUndefined();
    await new Promise((r) => setTimeout(r, 20));
    expect(q.len()).toBe(0);
    await q.shutDownWithDrain();
  });
});
