import type { LvmdConfig } from '@copse/lvm-model';
import type { LvmService, VolumeEvent } from '../service/lvm-service';
import type { PoolChange, PoolMonitor } from './pool-monitor';
import { volumeHealthChanged } from './views';

/**
 * Tells the watch stream what the pool monitor saw, through the service's own events:
 * a 'capacity' event for every change of a pool's usage or health (but for a change
 * made through lvmd-http: the service's own capacity event right after carries it), and
 * an 'updated' volume event for each thin volume of the pool when the change alters
 * their health.
 * Pools that were inactive or unreadable are read again after every capacity change
 * (a refresh, or a change through lvmd-http, may have activated them). Returns the
 * function that stops forwarding.
 */
export function forwardPoolChanges(monitor: PoolMonitor, service: LvmService, config: LvmdConfig): () => void {
  const onChange = (change: PoolChange) => {
    if (volumeHealthChanged(change.previous, change.current)) {
      for (const dc of config.deviceClasses) {
        if (dc.type !== 'thin' || dc.volumeGroup !== change.vg || dc.thinPool?.name !== change.pool) continue;
        for (const volume of service.listVolumes(dc)) service.emit('volume', { type: 'updated', volume } satisfies VolumeEvent);
      }
    }
    if (change.trigger !== 'change') service.emit('capacity', service.listDeviceClasses());
  };
  let rechecking = false;
  const onCapacity = () => {
    if (rechecking) return;
    rechecking = true;
    void monitor.recheckAbsent().finally(() => (rechecking = false));
  };
  monitor.on('change', onChange);
  service.on('capacity', onCapacity);
  return () => {
    monitor.off('change', onChange);
    service.off('capacity', onCapacity);
  };
}
