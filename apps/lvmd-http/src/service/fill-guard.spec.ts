import type { DeviceClass as DeviceClassView } from '@copse/lvmd-api';
import { fillGuardTransitions } from './fill-guard';

function thin(dataPercent: number, fillGuard?: { percent: number; engaged: boolean; reason?: string }): DeviceClassView {
  return {
    name: 'thin',
    volumeGroup: 'myvg1',
    type: 'thin',
    default: true,
    vgSizeBytes: 0,
    vgFreeBytes: 0,
    extentSizeBytes: 4194304,
    freeBytes: 0,
    thinPool: {
      name: 'pool0',
      sizeBytes: 0,
      dataPercent,
      metadataPercent: 11.04,
      overprovisionRatio: 5,
      virtualSizeBytes: 0,
      overprovisionedFreeBytes: 0,
      health: { status: 'ok' },
      ...(fillGuard ? { fillGuard } : {}),
    },
  };
}

describe('fillGuardTransitions', () => {
  it('logs once when the guard engages (warn) and once when it releases (info), nothing in between or at a released start', () => {
    const lines: Array<[string, object, string]> = [];
    const log = {
      info: (o: object, m: string) => lines.push(['info', o, m]),
      warn: (o: object, m: string) => lines.push(['warn', o, m]),
      error: (o: object, m: string) => lines.push(['error', o, m]),
    };
    const seen = fillGuardTransitions(log);
    seen([thin(10, { percent: 90, engaged: false })]);
    expect(lines).toEqual([]);
    seen([thin(91, { percent: 90, engaged: true, reason: 'data 91% >= 90%' })]);
    seen([thin(95, { percent: 90, engaged: true, reason: 'data 95% >= 90%' })]);
    seen([thin(40, { percent: 90, engaged: false })]);
    expect(lines).toEqual([
      [
        'warn',
        { deviceClass: 'thin', thinPool: 'myvg1/pool0', dataPercent: 91, metadataPercent: 11.04, fillGuardPercent: 90, reason: 'data 91% >= 90%' },
        'thin pool fill guard engaged: new thin volumes, snapshots, restores and clones are refused',
      ],
      ['info', { deviceClass: 'thin', thinPool: 'myvg1/pool0', dataPercent: 40, metadataPercent: 11.04, fillGuardPercent: 90 }, 'thin pool fill guard released: new thin volumes are accepted again'],
    ]);
  });

  it('says nothing of classes without a guard', () => {
    const lines: unknown[] = [];
    const log = { info: () => lines.push(1), warn: () => lines.push(1), error: () => lines.push(1) };
    fillGuardTransitions(log)([thin(99)]);
    expect(lines).toEqual([]);
  });
});
