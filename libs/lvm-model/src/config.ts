/**
 * lvmd.yaml, TopoLVM's lvmd configuration, validated into a typed LvmdConfig.
 *
 * Every problem is collected (not just the first) and named by its path in the file,
 * e.g. "device-classes[1].thin-pool.overprovision-ratio", so one edit-run cycle fixes
 * them all. Unknown keys are errors: a typo such as "spare-gib" must not silently fall
 * back to a default.
 *
 * Decisions beyond TopoLVM's own checks (TopoLVM requires exactly one `default: true`):
 * - a configuration with a single device class makes it the default even without
 *   `default: true` (the result has default: true); with several classes exactly one
 *   must say so. Every configuration TopoLVM accepts is accepted here too.
 * - a class may not be named "00default": that is the key TopoLVM uses for the default
 *   class in node capacity annotations, so such a class could not be told apart.
 * - YAML is read as YAML 1.2 (core schema): booleans are true/false, not yes/no.
 * - one key is Copse's own, added, and off when absent (so a TopoLVM file means what it
 *   meant): a thin pool's `fill-guard-percent` (fill-guard.ts).
 */
import { LineCounter, parseDocument } from 'yaml';
import { GiB, parseLvmSizeArg } from './sizes';

export type DeviceClassType = 'thick' | 'thin';

export interface ThinPoolConfig {
  name: string;
  overprovisionRatio: number;
  /**
   * fill-guard-percent (Copse's, not TopoLVM's; absent: off): at or above this data% or
   * metadata% of the pool, new thin volumes, snapshots, restores and clones are refused
   * (fill-guard.ts).
   */
  fillGuardPercent?: number;
}

export interface DeviceClass {
  name: string;
  volumeGroup: string;
  default: boolean;
  /** spare-gb in bytes (default 10 GiB): kept free in the VG; TopoLVM applies it to thick classes. */
  spareBytes: number;
  stripe?: number;
  /** As written (lvm size syntax, KiB when unitless); passed to lvcreate --stripesize. */
  stripeSize?: string;
  lvcreateOptions: string[];
  type: DeviceClassType;
  thinPool?: ThinPoolConfig;
}

export interface LvcreateOptionClass {
  name: string;
  options: string[];
}

export interface LvmdConfig {
  deviceClasses: DeviceClass[];
  lvcreateOptionClasses: LvcreateOptionClass[];
  /** Prepended to every lvm command line; [] runs lvm directly. */
  lvmCommandPrefix: string[];
  /** TopoLVM's gRPC socket path; kept so TopoLVM files load, not used by us. */
  socketName?: string;
}

export interface FieldError {
  /** Path in the file, e.g. "device-classes[1].thin-pool.overprovision-ratio"; "" for the whole file. */
  field: string;
  message: string;
  /** 1-based line, for YAML syntax errors. */
  line?: number;
}

export class ConfigError extends Error {
  constructor(readonly errors: FieldError[]) {
    super(`invalid lvmd configuration: ${errors.map(formatFieldError).join('; ')}`);
    this.name = 'ConfigError';
  }
}

export function formatFieldError(e: FieldError): string {
  return e.field ? `${e.field}: ${e.message}` : e.message;
}

/** TopoLVM's default: run lvm in the host's namespaces from inside a pod. */
export const DEFAULT_LVM_COMMAND_PREFIX: readonly string[] = Object.freeze([
  '/usr/bin/nsenter',
  '-m',
  '-u',
  '-i',
  '-n',
  '-p',
  '-t',
  '1',
]);

export const DEFAULT_SPARE_GB = 10;
export const MAX_DEVICE_CLASS_NAME_LENGTH = 63;
/** The device-class name TopoLVM uses for "the default class" in node annotations. */
export const DEFAULT_DEVICE_CLASS_ANNOTATION_NAME = '00default';

const TOP_KEYS = ['device-classes', 'lvcreate-option-classes', 'lvm-command-prefix', 'socket-name'];
const CLASS_KEYS = [
  'name',
  'volume-group',
  'default',
  'spare-gb',
  'stripe',
  'stripe-size',
  'lvcreate-options',
  'type',
  'thin-pool',
];
const THIN_POOL_KEYS = ['name', 'overprovision-ratio', 'fill-guard-percent'];
const OPTION_CLASS_KEYS = ['name', 'options'];

type Obj = Record<string, unknown>;

function isObject(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Edit distance, for "did you mean" on unknown keys. */
function distance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(
        (prev[j] as number) + 1,
        (cur[j - 1] as number) + 1,
        (prev[j - 1] as number) + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
    }
    prev = cur;
  }
  return prev[b.length] as number;
}

/**
 * The checks lvm2 makes on VG names (and, for now, pool names): characters
 * [A-Za-z0-9._+-], no leading '-', not "." or "..", at most 127 characters.
 * Returns the problem, or undefined when the name passes.
 */
function checkLvmObjectName(name: string): string | undefined {
  if (name.length === 0) return 'must not be empty';
  if (name.length > 127) return `must be at most 127 characters (has ${name.length})`;
  if (name === '.' || name === '..') return `must not be "${name}"`;
  if (name.startsWith('-')) return 'must not start with "-"';
  const bad = /[^A-Za-z0-9._+-]/.exec(name);
  if (bad) return `contains "${bad[0]}": only letters, digits and . _ + - are allowed`;
  return undefined;
}

class Collector {
  readonly errors: FieldError[] = [];

  add(field: string, message: string): void {
    this.errors.push({ field, message });
  }

  /** Reports keys not in `known`. */
  unknownKeys(path: string, obj: Obj, known: readonly string[]): void {
    for (const key of Object.keys(obj)) {
      if (known.includes(key)) continue;
      const close = known.filter((k) => distance(k, key) <= 2);
      const hint = close.length ? ` (did you mean "${close[0]}"?)` : '';
      this.add(join(path, key), `unknown field${hint}`);
    }
  }

  string(path: string, value: unknown, { required = false, nonEmpty = false } = {}): string | undefined {
    if (value === undefined || value === null) {
      if (required) this.add(path, 'is required');
      return undefined;
    }
    if (typeof value !== 'string') {
      this.add(path, `must be a string, got ${describe(value)}`);
      return undefined;
    }
    if (nonEmpty && value === '') {
      this.add(path, 'must not be empty');
      return undefined;
    }
    return value;
  }

  stringList(path: string, value: unknown, { nonEmptyItems = false } = {}): string[] | undefined {
    if (value === undefined || value === null) return undefined;
    if (!Array.isArray(value)) {
      this.add(path, `must be a list of strings, got ${describe(value)}`);
      return undefined;
    }
    let ok = true;
    value.forEach((item, i) => {
      if (typeof item !== 'string') {
        this.add(`${path}[${i}]`, `must be a string, got ${describe(item)}`);
        ok = false;
      } else if (nonEmptyItems && item === '') {
        this.add(`${path}[${i}]`, 'must not be empty');
        ok = false;
      }
    });
    return ok ? (value as string[]) : undefined;
  }

  integer(path: string, value: unknown, min: number): number | undefined {
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'number' || !Number.isSafeInteger(value)) {
      this.add(path, `must be a whole number, got ${describe(value)}`);
      return undefined;
    }
    if (value < min) {
      this.add(path, `must be >= ${min}, got ${value}`);
      return undefined;
    }
    return value;
  }
}

function join(path: string, key: string): string {
  return path ? `${path}.${key}` : key;
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a mapping';
  if (typeof v === 'string') return JSON.stringify(v);
  return `${typeof v} ${String(v)}`;
}

function validateThinPool(c: Collector, path: string, raw: unknown): ThinPoolConfig | undefined {
  if (raw === undefined || raw === null) {
    c.add(path, 'is required for a thin device class');
    return undefined;
  }
  if (!isObject(raw)) {
    c.add(path, `must be a mapping with name and overprovision-ratio, got ${describe(raw)}`);
    return undefined;
  }
  c.unknownKeys(path, raw, THIN_POOL_KEYS);
  const name = c.string(join(path, 'name'), raw['name'], { required: true, nonEmpty: true });
  if (name !== undefined) {
    const problem = checkLvmObjectName(name);
    if (problem) c.add(join(path, 'name'), `is not a valid lvm name: ${problem}`);
  }
  const ratioPath = join(path, 'overprovision-ratio');
  const ratio = raw['overprovision-ratio'];
  let overprovisionRatio: number | undefined;
  if (ratio === undefined || ratio === null) {
    c.add(ratioPath, 'is required');
  } else if (typeof ratio !== 'number' || !Number.isFinite(ratio)) {
    c.add(ratioPath, `must be a number, got ${describe(ratio)}`);
  } else if (ratio < 1) {
    c.add(ratioPath, `must be >= 1, got ${ratio}`);
  } else {
    overprovisionRatio = ratio;
  }
  const guardPath = join(path, 'fill-guard-percent');
  const guard = raw['fill-guard-percent'];
  let fillGuardPercent: number | undefined;
  let guardValid = true;
  if (guard !== undefined && guard !== null) {
    if (typeof guard !== 'number' || !Number.isFinite(guard) || guard <= 0 || guard > 100) {
      c.add(guardPath, `must be a number above 0 and at most 100 (the thin pool's data% or metadata% at which new thin volumes are refused), got ${describe(guard)}`);
      guardValid = false;
    } else {
      fillGuardPercent = guard;
    }
  }
  if (name === undefined || overprovisionRatio === undefined || !guardValid) return undefined;
  return { name, overprovisionRatio, ...(fillGuardPercent !== undefined ? { fillGuardPercent } : {}) };
}

function validateDeviceClass(c: Collector, path: string, raw: unknown): DeviceClass | undefined {
  if (!isObject(raw)) {
    c.add(path, `must be a mapping, got ${describe(raw)}`);
    return undefined;
  }
  const before = c.errors.length;
  c.unknownKeys(path, raw, CLASS_KEYS);

  const name = c.string(join(path, 'name'), raw['name'], { required: true, nonEmpty: true });
  if (name !== undefined) {
    if (name.length > MAX_DEVICE_CLASS_NAME_LENGTH) {
      c.add(join(path, 'name'), `must be at most ${MAX_DEVICE_CLASS_NAME_LENGTH} characters (has ${name.length})`);
    } else if (name === DEFAULT_DEVICE_CLASS_ANNOTATION_NAME) {
      c.add(join(path, 'name'), `"${name}" is reserved for the default device class in node annotations`);
    }
  }

  const volumeGroup = c.string(join(path, 'volume-group'), raw['volume-group'], { required: true, nonEmpty: true });
  if (volumeGroup !== undefined) {
    const problem = checkLvmObjectName(volumeGroup);
    if (problem) c.add(join(path, 'volume-group'), `is not a valid volume group name: ${problem}`);
  }

  let isDefault = false;
  const def = raw['default'];
  if (def !== undefined && def !== null) {
    if (typeof def !== 'boolean') c.add(join(path, 'default'), `must be true or false, got ${describe(def)}`);
    else isDefault = def;
  }

  const spareGb = c.integer(join(path, 'spare-gb'), raw['spare-gb'], 0);
  const spareBytes = (spareGb ?? DEFAULT_SPARE_GB) * GiB;
  if (!Number.isSafeInteger(spareBytes)) c.add(join(path, 'spare-gb'), 'is too large');

  const stripe = c.integer(join(path, 'stripe'), raw['stripe'], 1);

  const stripeSize = c.string(join(path, 'stripe-size'), raw['stripe-size'], { nonEmpty: true });
  if (stripeSize !== undefined) {
    const parsed = parseLvmSizeArg(stripeSize, 'k');
    if ('error' in parsed) c.add(join(path, 'stripe-size'), `is not an lvm size (e.g. "64k"): ${parsed.error}`);
    else if (parsed.sign !== undefined || parsed.bytes === 0) c.add(join(path, 'stripe-size'), 'must be a positive size');
  }

  const lvcreateOptions = c.stringList(join(path, 'lvcreate-options'), raw['lvcreate-options']) ?? [];

  let type: DeviceClassType = 'thick';
  const rawType = raw['type'];
  if (rawType !== undefined && rawType !== null && rawType !== '') {
    if (rawType === 'thick' || rawType === 'thin') type = rawType;
    else c.add(join(path, 'type'), `must be "thick" or "thin", got ${describe(rawType)}`);
  }

  let thinPool: ThinPoolConfig | undefined;
  const rawPool = raw['thin-pool'];
  if (type === 'thin') {
    thinPool = validateThinPool(c, join(path, 'thin-pool'), rawPool);
  } else if (rawPool !== undefined && rawPool !== null) {
    c.add(join(path, 'thin-pool'), 'is only allowed on a device class with type: thin');
  }

  if (c.errors.length > before || name === undefined || volumeGroup === undefined) return undefined;
  const dc: DeviceClass = { name, volumeGroup, default: isDefault, spareBytes, lvcreateOptions, type };
  if (stripe !== undefined) dc.stripe = stripe;
  if (stripeSize !== undefined) dc.stripeSize = stripeSize;
  if (thinPool) dc.thinPool = thinPool;
  return dc;
}

function validateOptionClass(c: Collector, path: string, raw: unknown): LvcreateOptionClass | undefined {
  if (!isObject(raw)) {
    c.add(path, `must be a mapping, got ${describe(raw)}`);
    return undefined;
  }
  const before = c.errors.length;
  c.unknownKeys(path, raw, OPTION_CLASS_KEYS);
  const name = c.string(join(path, 'name'), raw['name'], { required: true, nonEmpty: true });
  const options = c.stringList(join(path, 'options'), raw['options']) ?? [];
  if (c.errors.length > before || name === undefined) return undefined;
  return { name, options };
}

/** Validates an already-parsed configuration object (keys as in the YAML file). */
export function validateLvmdConfig(raw: unknown): { config: LvmdConfig } | { errors: FieldError[] } {
  const c = new Collector();
  if (!isObject(raw)) {
    c.add('', `the configuration must be a mapping, got ${raw === undefined ? 'nothing' : describe(raw)}`);
    return { errors: c.errors };
  }
  c.unknownKeys('', raw, TOP_KEYS);

  // device classes
  const deviceClasses: DeviceClass[] = [];
  const rawClasses = raw['device-classes'];
  if (rawClasses === undefined || rawClasses === null) {
    c.add('device-classes', 'at least one device class is required');
  } else if (!Array.isArray(rawClasses)) {
    c.add('device-classes', `must be a list, got ${describe(rawClasses)}`);
  } else if (rawClasses.length === 0) {
    c.add('device-classes', 'at least one device class is required');
  } else {
    const byName = new Map<string, number>();
    const byTarget = new Map<string, number>();
    rawClasses.forEach((item, i) => {
      const path = `device-classes[${i}]`;
      const dc = validateDeviceClass(c, path, item);
      // duplicates are checked on whatever valid names there are, even if the class has other errors
      const name = isObject(item) ? item['name'] : undefined;
      if (typeof name === 'string' && name !== '') {
        const first = byName.get(name);
        if (first !== undefined) c.add(`${path}.name`, `duplicate device class name "${name}" (also device-classes[${first}])`);
        else byName.set(name, i);
      }
      if (dc) {
        const target = dc.thinPool ? `${dc.volumeGroup}/${dc.thinPool.name}` : dc.volumeGroup;
        const first = byTarget.get(target);
        if (first !== undefined) {
          const field = dc.thinPool ? `${path}.thin-pool.name` : `${path}.volume-group`;
          c.add(field, `"${target}" is already used by device-classes[${first}]`);
        } else {
          byTarget.set(target, i);
        }
        deviceClasses.push(dc);
      }
    });

    const defaults = rawClasses
      .map((item, i) => (isObject(item) && item['default'] === true ? i : -1))
      .filter((i) => i >= 0);
    if (defaults.length > 1) {
      for (const i of defaults.slice(1)) {
        c.add(`device-classes[${i}].default`, `only one device class may be the default (device-classes[${defaults[0]}] already is)`);
      }
    } else if (defaults.length === 0 && rawClasses.length > 1) {
      c.add('device-classes', 'one device class must have "default: true"');
    }
  }

  // lvcreate option classes
  const lvcreateOptionClasses: LvcreateOptionClass[] = [];
  const rawOptionClasses = raw['lvcreate-option-classes'];
  if (rawOptionClasses !== undefined && rawOptionClasses !== null) {
    if (!Array.isArray(rawOptionClasses)) {
      c.add('lvcreate-option-classes', `must be a list, got ${describe(rawOptionClasses)}`);
    } else {
      const byName = new Map<string, number>();
      rawOptionClasses.forEach((item, i) => {
        const path = `lvcreate-option-classes[${i}]`;
        const oc = validateOptionClass(c, path, item);
        const name = isObject(item) ? item['name'] : undefined;
        if (typeof name === 'string' && name !== '') {
          const first = byName.get(name);
          if (first !== undefined) {
            c.add(`${path}.name`, `duplicate lvcreate option class name "${name}" (also lvcreate-option-classes[${first}])`);
          } else byName.set(name, i);
        }
        if (oc) lvcreateOptionClasses.push(oc);
      });
    }
  }

  const lvmCommandPrefix =
    c.stringList('lvm-command-prefix', raw['lvm-command-prefix'], { nonEmptyItems: true }) ?? [
      ...DEFAULT_LVM_COMMAND_PREFIX,
    ];
  const socketName = c.string('socket-name', raw['socket-name'], { nonEmpty: true });

  if (c.errors.length > 0) return { errors: c.errors };

  if (deviceClasses.length === 1) (deviceClasses[0] as DeviceClass).default = true;
  const config: LvmdConfig = { deviceClasses, lvcreateOptionClasses, lvmCommandPrefix };
  if (socketName !== undefined) config.socketName = socketName;
  return { config };
}

/** Parses and validates lvmd.yaml; throws ConfigError listing every problem. */
export function parseLvmdConfig(yamlText: string): LvmdConfig {
  const lineCounter = new LineCounter();
  const doc = parseDocument(yamlText, { lineCounter, prettyErrors: false });
  if (doc.errors.length > 0) {
    throw new ConfigError(
      doc.errors.map((e) => {
        const { line, col } = lineCounter.linePos(e.pos[0]);
        return { field: '', line, message: `YAML syntax error at line ${line}, column ${col}: ${e.message}` };
      }),
    );
  }
  const result = validateLvmdConfig(doc.toJS());
  if ('errors' in result) throw new ConfigError(result.errors);
  return result.config;
}

/**
 * The device class a request names: "" or undefined (TopoLVM's DefaultDeviceClassName)
 * and "00default" (its annotation name) mean the default class.
 */
export function findDeviceClass(config: LvmdConfig, name: string | undefined): DeviceClass | undefined {
  if (name === undefined || name === '' || name === DEFAULT_DEVICE_CLASS_ANNOTATION_NAME) {
    return config.deviceClasses.find((dc) => dc.default);
  }
  return config.deviceClasses.find((dc) => dc.name === name);
}

/** The lvcreate option class of that name, if configured. */
export function findLvcreateOptionClass(config: LvmdConfig, name: string): LvcreateOptionClass | undefined {
  return config.lvcreateOptionClasses.find((oc) => oc.name === name);
}
