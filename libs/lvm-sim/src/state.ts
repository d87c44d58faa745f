/**
 * The simulated lvm2's state: plain JSON-able data, so the daemon can persist it to a
 * file it owns and a restart picks up where it left off.
 */

/** Extents an LV (or an LV's hidden component) holds on each PV, by device path. */
export type Allocation = Record<string, number>;

export interface SimPv {
  readonly uuid: string;
  vg?: string;
}

export interface SimPoolParts {
  /** Chunk size in bytes (64 KiB by default). */
  chunkSize: number;
  /** Hidden [pool_tmeta]. */
  metaUuid: string;
  metaExtents: number;
  metaAlloc: Allocation;
  /** Hidden [pool_tdata]. */
  dataUuid: string;
  /** Bytes of the pool's data device holding thin LV data (see SimulatedLvm.simulateWrite). */
  usedBytes: number;
  transactionId: number;
  /** What device-mapper's thin-pool target holds for it (device-mapper/pool-kernel.ts); absent until first looked at. */
  dm?: SimPoolDm;
}

/** dm-thin's state of a pool's -tpool device: its event counter, its mode, its I/O counters. */
export interface SimPoolDm {
  /** The device exists (the pool was active when last looked at). */
  live: boolean;
  /**
   * A thin LV has used the pool since it was activated: lvm2 then stacks the pool's own
   * device (VG-POOL, linear) on a VG-POOL-tpool device that carries the target; before,
   * VG-POOL carries it. Optional: states saved before it existed read as stacked.
   */
  layered?: boolean;
  /** The device's event counter: 0 when it is created (activation), raised on low water, out of space, mode changes. */
  events: number;
  mode: 'rw' | 'out_of_data_space';
  /** Out of data space for longer than no_space_timeout: writes needing new blocks fail (error IO) instead of queueing. */
  errorIo: boolean;
  /** Epoch ms at which it ran out of data space. */
  outOfSpaceSince?: number;
  /** The low-water event was sent (once, until the device is created again). */
  lowWaterTriggered: boolean;
  /** Block-layer write counters: I/Os to the -tpool (data) device and to the _tmeta (metadata) device. */
  dataWriteIos: number;
  metaWriteIos: number;
  /** The transaction id at the last look: a new one means a metadata commit (a write to _tmeta). */
  seenTransaction: number;
}

/** What can hold an LV's device open, each refused by lvm2 in its own words (see in-use.ts). */
export type DeviceHolder = 'process' | 'filesystem' | 'device';

export interface SimLv {
  name: string;
  readonly uuid: string;
  readonly type: 'linear' | 'thin-pool' | 'thin';
  /** Size in extents: the virtual size of a thin LV, the data size of a pool. */
  extents: number;
  /** Where a linear LV or a pool's data lives. */
  alloc?: Allocation;
  stripes?: number;
  stripeSize?: number;
  pool?: SimPoolParts;
  /** Thin LV: its pool's name. */
  poolLv?: string;
  /** Thin snapshot: the name of the LV it was taken from, until that LV is removed. */
  origin?: string;
  thinId?: number;
  /** Thin LV: which mapping tree it uses in the pool's metadata; a snapshot shares its origin's until written. */
  metaRoot?: number;
  /** Thin LV: bytes written (mapped), at most its size. */
  mappedBytes?: number;
  /** Thin LV: bytes of writes waiting for the pool to get space back (queue IO). */
  queuedBytes?: number;
  tags: string[];
  writable: boolean;
  activationSkip: boolean;
  active: boolean;
  /** Device-mapper minors held while active; the one lvs reports comes first. */
  minors: number[];
  /** What holds the active device open (SimulatedLvm.simulateOpen); absent when it is closed. */
  holder?: DeviceHolder;
  /** "2026-11-21 05:13:07 +0000" */
  readonly time: string;
}

export interface SimVg {
  readonly name: string;
  readonly uuid: string;
  /** Bytes. */
  readonly extentSize: number;
  /** Device paths in the order they joined. */
  readonly pvs: string[];
  /** Extents per PV. */
  readonly peCount: Record<string, number>;
  seqno: number;
  tags: string[];
  /** The hidden [lvol0_pmspare] that every thin pool's metadata may be repaired into. */
  pmspare?: { name: string; uuid: string; extents: number; alloc: Allocation };
  /** Public and pool LVs (hidden components live inside their pool). */
  lvs: SimLv[];
  nextThinId: number;
}

export interface SimState {
  readonly format: 'copse-lvm-sim/1';
  readonly devices: Record<string, number>;
  readonly pvs: Record<string, SimPv>;
  readonly vgs: SimVg[];
  /** Count of uuids handed out by the built-in deterministic generator. */
  uuidCounter: number;
}
