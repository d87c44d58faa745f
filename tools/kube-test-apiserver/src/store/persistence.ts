/**
 * The optional data file: every object and the revision counter as JSON, written atomically
 * (temporary file, fsync, rename) shortly after changes and on close; read at start.
 */
import { closeSync, fsyncSync, openSync, readFileSync, renameSync, writeSync, existsSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { ObjectStore } from './object-store';

const FORMAT = 'kube-test-apiserver/v1';

export class DataFile {
  private timer?: NodeJS.Timeout;
  private dirty = false;
  private unsubscribe?: () => void;

  constructor(
    private readonly path: string,
    private readonly store: ObjectStore,
    private readonly delayMs = 50,
  ) {}

  /** Loads the file when it exists; returns how many objects it held. */
  load(): number {
    if (!existsSync(this.path)) return 0;
    const parsed = JSON.parse(readFileSync(this.path, 'utf8')) as { format?: string; revision: number; objects: Parameters<ObjectStore['load']>[0]['objects'] };
    if (parsed.format !== FORMAT) throw new Error(`${this.path}: not a kube-test-apiserver data file (format ${String(parsed.format)})`);
    this.store.load({ revision: parsed.revision, objects: parsed.objects });
    return parsed.objects.length;
  }

  /** Saves shortly after every change. */
  start(): void {
    this.unsubscribe = this.store.subscribe(() => {
      this.dirty = true;
      this.timer ??= setTimeout(() => {
        this.timer = undefined;
        this.flush();
      }, this.delayMs);
    });
  }

  flush(): void {
    if (!this.dirty) return;
    this.dirty = false;
    const dump = this.store.dump();
    const text = JSON.stringify({ format: FORMAT, revision: dump.revision, objects: dump.objects });
    mkdirSync(dirname(this.path), { recursive: true });
    const tmp = `${this.path}.tmp-${process.pid}`;
    const fd = openSync(tmp, 'w', 0o600);
    try {
      writeSync(fd, text);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, this.path);
  }

  close(): void {
    this.unsubscribe?.();
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.flush();
  }
}
