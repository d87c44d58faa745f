import { fillGuardMessage, fillGuardState } from './fill-guard';

describe('fillGuardState', () => {
  it.each([
    // percent, data%, metadata%, engaged, by
    [90, 0, 0, false, undefined],
    [90, 89.99, 11.04, false, undefined],
    [90, 90, 11.04, true, 'data'],
    [90, 100, 11.04, true, 'data'],
    [90, 37.5, 90, true, 'metadata'],
    [90, 95, 99, true, 'data'],
    [80, 81.25, 0.98, true, 'data'],
    [100, 99.99, 99.99, false, undefined],
    [100, 100, 0, true, 'data'],
  ] as const)('at %d%%: data %d%%, metadata %d%% -> engaged %s (by %s)', (percent, dataPercent, metadataPercent, engaged, by) => {
    expect(fillGuardState(percent, { dataPercent, metadataPercent })).toEqual({ percent, engaged, ...(by ? { by } : {}) });
  });
});

describe('fillGuardMessage', () => {
  const refusal = {
    name: 'restore1',
    deviceClass: 'thin',
    volumeGroup: 'myvg1',
    pool: 'pool0',
    figures: { dataPercent: 91.25, metadataPercent: 11.04 },
    percent: 90,
  };

  it('names what was refused, the pool, its data% and metadata%, the threshold and the key', () => {
    const message = fillGuardMessage({ ...refusal, what: 'restore' });
    expect(message).toMatch(/^refused to create the restore "restore1": thin pool myvg1\/pool0 \(device class thin\) is at data 91\.25%, metadata 11\.04%/);
    expect(message).toContain('at or above its fill guard of 90% (lvmd.yaml thin-pool.fill-guard-percent)');
    expect(message).toMatch(/deletes, activation and expansion of existing volumes still work$/);
  });

  it.each([
    ['volume', 'thin volume'],
    ['snapshot', 'snapshot'],
    ['clone', 'clone'],
  ] as const)('calls a %s a %s', (what, words) => {
    expect(fillGuardMessage({ ...refusal, what })).toMatch(new RegExp(`^refused to create the ${words} "restore1"`));
  });
});
