/**
 * The control channel between the host (control-client.ts) and the guest agent
 * (agent.ts): JSON over HTTP on a forwarded guest port, every request carrying the
 * per-boot token as `Authorization: Bearer <token>`. Only the fixed operations below
 * exist; each runs with argv arrays, never a shell. Test tooling only: no product
 * app talks this protocol.
 */

/** Guest port of the control agent (forwarded to a free port on host 127.0.0.1). */
export const CONTROL_GUEST_PORT = 7999;

/** Virtio serial of the disk that carries the agent and this boot's configuration. */
export const CONFIG_DISK_SERIAL = 'tnconfig';

export interface GuestVolumeGroup {
  readonly name: string;
  /** Virtio serials of the data disks that become its PVs. */
  readonly diskSerials: readonly string[];
  readonly thinPools: readonly { readonly name: string; readonly sizeBytes: number }[];
}

export interface GuestService {
  readonly name: string;
  readonly argv: readonly string[];
  readonly env: Readonly<Record<string, string>>;
  readonly cwd: string;
}

/** /testnode/config.json on the config disk. */
export interface GuestConfig {
  readonly token: string;
  readonly controlPort: number;
  readonly dataDiskSerials: readonly string[];
  readonly shares: readonly { readonly serial: string; readonly guestDir: string }[];
  readonly volumeGroups: readonly GuestVolumeGroup[];
  readonly services: readonly GuestService[];
  /**
   * Seconds without an authorized control request after which the guest reboots,
   * which ends qemu (-no-reboot): a node whose test process died does not run on
   * forever. 0 disables it (nodes started by the CLI).
   */
  readonly leaseSeconds: number;
}

export type GuestPhase = 'setup' | 'ready' | 'failed';

export interface StatusResponse {
  readonly phase: GuestPhase;
  readonly error?: string;
  readonly uptimeSeconds: number;
  /** Data disk serial -> guest device path, e.g. data0 -> /dev/vdb. */
  readonly dataDisks: Readonly<Record<string, string>>;
}

/** lvm2's answer, untouched (same shape as @copse/lvm-model's LvmResult). */
export interface ExecResult {
  readonly exitCode: number;
  readonly stdout: string;
  readonly stderr: string;
}

export interface ServiceStatus {
  readonly name: string;
  readonly running: boolean;
  readonly pid?: number;
  readonly exitCode?: number | null;
  readonly signal?: string | null;
  /** How many times it was started since boot. */
  readonly starts: number;
}

export interface TryWriteResult {
  readonly writable: boolean;
  /** Where it failed: opening for writing, writing, or flushing. */
  readonly failedAt?: 'open' | 'write' | 'fsync';
  /** errno name, e.g. EPERM or EROFS. */
  readonly code?: string;
}

/** A process of the guest, from /proc. */
export interface GuestProcess {
  readonly pid: number;
  readonly ppid: number;
  /** its command line; [] for kernel threads */
  readonly argv: readonly string[];
  /** CPU time it used in user and kernel mode, in seconds */
  readonly cpuSeconds: number;
}

export interface GuestLogs {
  readonly services: Readonly<Record<string, string>>;
  readonly dmesg: string;
}

/** Request bodies by operation; responses below. */
export interface Operations {
  status: { req: Record<string, never>; res: StatusResponse };
  lvm: { req: { argv: readonly string[] }; res: ExecResult };
  dmsetup: { req: { argv: readonly string[] }; res: ExecResult };
  write: {
    req: { path: string; offset: number; pattern?: string; length?: number; dataBase64?: string };
    res: { bytesWritten: number };
  };
  checksum: { req: { path: string; offset: number; length: number }; res: { sha256: string } };
  read: { req: { path: string; offset: number; length: number }; res: { dataBase64: string } };
  /** Copies [0, length) of `from` to [0, length) of `to` in COPY_CHUNK_BYTES reads and writes, then fsyncs `to` (dd conv=fsync). */
  copy: { req: { from: string; to: string; length: number }; res: { bytesCopied: number } };
  mkfs: { req: { device: string; fsType: 'ext4' | 'xfs'; label?: string }; res: ExecResult };
  mount: { req: { device: string; target: string; fsType?: string; options?: readonly string[] }; res: ExecResult };
  umount: { req: { target: string }; res: ExecResult };
  sync: { req: Record<string, never>; res: Record<string, never> };
  dropCaches: { req: Record<string, never>; res: Record<string, never> };
  getReadOnly: { req: { device: string }; res: { readOnly: boolean } };
  tryWrite: { req: { path: string; offset?: number }; res: TryWriteResult };
  serviceStatus: { req: { name: string }; res: ServiceStatus };
  serviceKill: { req: { name: string; signal?: string }; res: ServiceStatus };
  serviceStart: { req: { name: string }; res: ServiceStatus };
  logs: { req: Record<string, never>; res: GuestLogs };
  /** Every process of the guest (pid, parent, argv, CPU time): orphan checks and idle-cost measurements. */
  processes: { req: Record<string, never>; res: { processes: GuestProcess[]; clockTicksPerSecond: number } };
  /**
   * The kernel log's clock now (seconds, what dmesg timestamps are in): a marker written to
   * /dev/kmsg and read back. Lines of dmesg can then be placed on the host's clock.
   */
  kernelClock: { req: Record<string, never>; res: { seconds: number } };
  /** Sets dm-thin's no_space_timeout (seconds a full pool queues writes before it errors them; 0: for ever); answers the previous value. */
  thinNoSpaceTimeout: { req: { seconds: number }; res: { previous: number } };
}

export type OperationName = keyof Operations;

/** lvm2 commands the lvm operation accepts as argv[0] (what follows the lvm binary). */
export const LVM_COMMANDS: readonly string[] = [
  'lvchange', 'lvconvert', 'lvcreate', 'lvdisplay', 'lvextend', 'lvmconfig', 'lvreduce', 'lvremove', 'lvrename',
  'lvresize', 'lvs', 'lvscan', 'pvchange', 'pvck', 'pvcreate', 'pvdisplay', 'pvremove', 'pvresize', 'pvs', 'pvscan',
  'vgcfgbackup', 'vgcfgrestore', 'vgchange', 'vgck', 'vgcreate', 'vgdisplay', 'vgextend', 'vgreduce', 'vgremove',
  'vgrename', 'vgs', 'vgscan', 'fullreport', 'version',
];

/** dmsetup subcommands the dmsetup operation accepts (read-only ones; wait only watches). */
export const DMSETUP_COMMANDS: readonly string[] = ['info', 'table', 'status', 'ls', 'deps', 'version', 'wait'];

/** Block size of the copy operation (like dd bs=4M). */
export const COPY_CHUNK_BYTES = 4 * 1024 * 1024;

/** Largest range the read operation returns (checksum has no limit). */
export const MAX_READ_BYTES = 4 * 1024 * 1024;
