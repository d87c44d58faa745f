import { COMBINED_PREFIX, EventCorrelator, type EventInput } from './correlator';

const base: EventInput = {
  involvedObject: { apiVersion: 'v1', kind: 'Node', name: 'node-a', uid: 'u1' },
  type: 'Warning',
  reason: 'CapacityLow',
  message: 'pool0 at 91%',
  source: { component: 'copse-node', host: 'node-a' },
};

describe('EventCorrelator', () => {
  it('creates the first event and counts identical ones within the window on it', () => {
    const c = new EventCorrelator();
    const first = c.observe(base, 0);
    expect(first).toMatchObject({ action: 'create', message: 'pool0 at 91%' });
    expect(c.observe(base, 1000)).toEqual({ action: 'update', key: first.key, message: 'pool0 at 91%', count: 2, firstTimestamp: 0 });
    expect(c.observe(base, 2000)).toMatchObject({ action: 'update', count: 3 });
  });

  it('starts a new event once the window has passed without an occurrence', () => {
    const c = new EventCorrelator({ windowMs: 1000 });
    c.observe(base, 0);
    expect(c.observe(base, 900)).toMatchObject({ action: 'update', count: 2 });
    expect(c.observe(base, 3000)).toMatchObject({ action: 'create' });
  });

  it('keeps events about other objects, types, reasons or sources apart', () => {
    const c = new EventCorrelator();
    c.observe(base, 0);
    expect(c.observe({ ...base, involvedObject: { ...base.involvedObject, name: 'node-b' } }, 1).action).toBe('create');
    expect(c.observe({ ...base, type: 'Normal' }, 2).action).toBe('create');
    expect(c.observe({ ...base, reason: 'Other' }, 3).action).toBe('create');
    expect(c.observe({ ...base, source: { component: 'copse-controller' } }, 4).action).toBe('create');
  });

  it('folds similar events with changing messages into one after ten of them', () => {
    const c = new EventCorrelator();
    const decisions = Array.from({ length: 14 }, (_, i) => c.observe({ ...base, message: `pool0 at ${80 + i}%` }, i));
    expect(decisions.slice(0, 9).every((d) => d.action === 'create')).toBe(true);
    expect(decisions[9]).toMatchObject({ action: 'create', message: `${COMBINED_PREFIX}pool0 at 89%` });
    expect(decisions[13]).toMatchObject({ action: 'update', count: 5, message: `${COMBINED_PREFIX}pool0 at 93%`, key: decisions[9]?.key });
  });

  it('creates again after forget() (the Event object is gone)', () => {
    const c = new EventCorrelator();
    const first = c.observe(base, 0);
    c.forget(first.key);
    expect(c.observe(base, 1).action).toBe('create');
  });

  it('stays bounded: the least recently seen entry is evicted', () => {
    const c = new EventCorrelator({ maxEntries: 2 });
    const one = { ...base, reason: 'One' };
    c.observe(one, 0);
    c.observe({ ...base, reason: 'Two' }, 1);
    c.observe({ ...base, reason: 'Three' }, 2);
    expect(c.observe(one, 3).action).toBe('create');
  });
});
