/**
 * A small fake CSI plugin for the stand-ins' tests, on @copse/csi-grpc's CsiServer: a controller
 * socket and one node socket per node, every call recorded with its decoded request, a simple
 * in-memory behaviour by default, and one-shot or lasting overrides per method, so that a test
 * can assert the exact requests the stand-ins send and make the plugin answer what it needs.
 */
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CsiError, CsiServer, identityService, type ControllerService, type NodeService } from '@copse/csi-grpc';
import { controllerCapabilities, nodeCapabilities, pluginCapabilities, timestampFrom } from '@copse/csi-spec';
import pino from 'pino';

export interface RecordedCall {
  readonly service: 'Controller' | 'Node';
  /** the node whose socket took it (Node calls) */
  readonly node?: string;
  readonly method: string;
  // the request as the plugin decoded it (proto-loader's output shape)
  readonly request: any; // eslint-disable-line @typescript-eslint/no-explicit-any
}

type Handler = (request: any, node?: string) => unknown; // eslint-disable-line @typescript-eslint/no-explicit-any

export interface FakePluginOptions {
  readonly dir: string;
  readonly driverName: string;
  readonly nodes: readonly string[];
  /** the node topology key (default topology.<driverName>/node) */
  readonly topologyKey?: string;
  readonly controllerCapabilities?: readonly string[];
  readonly nodeCapabilities?: readonly string[];
}

export const GiB = 1024 ** 3;

export class FakePlugin {
  readonly calls: RecordedCall[] = [];
  readonly volumes = new Map<string, { name: string; capacity: number; source?: unknown; segment?: Record<string, string> }>();
  readonly snapshots = new Map<string, { name: string; source: string; size: number; createdAt: Date }>();
  readonly topologyKey: string;
  private readonly overrides = new Map<string, { handler: Handler; once: boolean }[]>();
  private readonly servers: CsiServer[] = [];

  private constructor(readonly o: FakePluginOptions) {
    this.topologyKey = o.topologyKey ?? `topology.${o.driverName}/node`;
  }

  get controllerEndpoint(): string {
    return `unix://${join(this.o.dir, 'controller.sock')}`;
  }

  nodeEndpoint(node: string): string {
    return `unix://${join(this.o.dir, `node-${node}.sock`)}`;
  }

  static async start(o: FakePluginOptions): Promise<FakePlugin> {
    const p = new FakePlugin(o);
    const log = pino({ level: 'silent' });
    const identity = identityService({
      name: o.driverName,
      vendorVersion: '0.0.0-fake',
      capabilities: pluginCapabilities({ services: ['CONTROLLER_SERVICE', 'VOLUME_ACCESSIBILITY_CONSTRAINTS'], volumeExpansion: 'ONLINE' }),
      ready: () => true,
    });
    p.servers.push(await CsiServer.start({ endpoint: p.controllerEndpoint, identity, controller: p.controllerService(), log }));
    for (const node of o.nodes) p.servers.push(await CsiServer.start({ endpoint: p.nodeEndpoint(node), identity, node: p.nodeService(node), log }));
    return p;
  }

  async stop(): Promise<void> {
    await Promise.all(this.servers.map((s) => s.shutdown(1000, 500)));
  }

  /** The requests of every recorded call of `method`. */
  requests(method: string): any[] { // eslint-disable-line @typescript-eslint/no-explicit-any
    return this.calls.filter((c) => c.method === method).map((c) => c.request);
  }

  /** The next call of `method` (or every one, with { times: Infinity }) is answered by `handler`. */
  override(method: string, handler: Handler, options: { once?: boolean } = {}): void {
    const list = this.overrides.get(method) ?? [];
    list.push({ handler, once: options.once ?? true });
    this.overrides.set(method, list);
  }

  clearOverrides(): void {
    this.overrides.clear();
  }

  private wrap(service: 'Controller' | 'Node', method: string, fallback: Handler, node?: string): (request: unknown) => Promise<unknown> {
    return async (request) => {
      this.calls.push({ service, node, method, request: structuredClone(request) });
      const list = this.overrides.get(method);
      const next = list?.[0];
      if (next) {
        if (next.once) list.shift();
        return next.handler(request, node);
      }
      return fallback(request, node);
    };
  }

  private controllerService(): Partial<ControllerService> {
    const caps = this.o.controllerCapabilities ?? ['CREATE_DELETE_VOLUME', 'CREATE_DELETE_SNAPSHOT', 'CLONE_VOLUME', 'EXPAND_VOLUME', 'GET_CAPACITY'];
    const w = (m: string, h: Handler) => this.wrap('Controller', m, h) as never;
    return {
      ControllerGetCapabilities: () => controllerCapabilities(caps as never),
      CreateVolume: w('CreateVolume', (r) => this.createVolume(r)),
      DeleteVolume: w('DeleteVolume', (r) => {
        this.volumes.delete(r.volume_id);
        return {};
      }),
      CreateSnapshot: w('CreateSnapshot', (r) => this.createSnapshot(r)),
      DeleteSnapshot: w('DeleteSnapshot', (r) => {
        this.snapshots.delete(r.snapshot_id);
        return {};
      }),
      ControllerExpandVolume: w('ControllerExpandVolume', (r) => {
        const v = this.volumes.get(r.volume_id);
        if (!v) throw CsiError.notFound(`volume ${r.volume_id} not found`);
        v.capacity = Math.max(v.capacity, Number(r.capacity_range?.required_bytes ?? 0));
        return { capacity_bytes: v.capacity, node_expansion_required: r.volume_capability?.access_type !== 'block' };
      }),
      GetCapacity: w('GetCapacity', () => ({ available_capacity: 100 * GiB, maximum_volume_size: { value: 50 * GiB } })),
    };
  }

  private createVolume(r: any): unknown { // eslint-disable-line @typescript-eslint/no-explicit-any
    const id = `vol-${r.name}`;
    let capacity = Number(r.capacity_range?.required_bytes ?? 0) || GiB;
    const source = r.volume_content_source;
    if (source?.snapshot) {
      const s = this.snapshots.get(source.snapshot.snapshot_id);
      if (!s) throw CsiError.notFound(`snapshot ${source.snapshot.snapshot_id} not found`);
      capacity = Math.max(capacity, s.size);
    } else if (source?.volume) {
      const v = this.volumes.get(source.volume.volume_id);
      if (!v) throw CsiError.notFound(`volume ${source.volume.volume_id} not found`);
    }
    const segment = r.accessibility_requirements?.preferred?.[0]?.segments ?? r.accessibility_requirements?.requisite?.[0]?.segments;
    this.volumes.set(id, { name: r.name, capacity, source, segment });
    return {
      volume: {
        volume_id: id,
        capacity_bytes: capacity,
        volume_context: { 'fake.csi.copse.io/name': r.name },
        ...(source ? { content_source: source } : {}),
        ...(segment ? { accessible_topology: [{ segments: segment }] } : {}),
      },
    };
  }

  private createSnapshot(r: any): unknown { // eslint-disable-line @typescript-eslint/no-explicit-any
    const v = this.volumes.get(r.source_volume_id);
    if (!v) throw CsiError.notFound(`source volume ${r.source_volume_id} not found`);
    const id = `snap-${r.name}`;
    const existing = this.snapshots.get(id);
    if (existing && existing.source !== r.source_volume_id) throw CsiError.alreadyExists(`snapshot ${r.name} exists with another source`);
    const s = existing ?? { name: r.name, source: r.source_volume_id, size: v.capacity, createdAt: new Date() };
    this.snapshots.set(id, s);
    return { snapshot: { snapshot_id: id, source_volume_id: s.source, size_bytes: s.size, creation_time: timestampFrom(s.createdAt), ready_to_use: true } };
  }

  private nodeService(node: string): Partial<NodeService> {
    const caps = this.o.nodeCapabilities ?? ['GET_VOLUME_STATS', 'EXPAND_VOLUME'];
    const w = (m: string, h: Handler) => this.wrap('Node', m, h, node) as never;
    return {
      NodeGetCapabilities: () => nodeCapabilities(caps as never),
      NodeGetInfo: w('NodeGetInfo', () => ({ node_id: node, accessible_topology: { segments: { [this.topologyKey]: node } } })),
      NodeStageVolume: w('NodeStageVolume', () => ({})),
      NodeUnstageVolume: w('NodeUnstageVolume', () => ({})),
      NodePublishVolume: w('NodePublishVolume', async (r) => {
        if (r.volume_capability?.access_type === 'block') await writeFile(r.target_path, '');
        else await mkdir(r.target_path, { recursive: true });
        return {};
      }),
      NodeUnpublishVolume: w('NodeUnpublishVolume', async (r) => {
        await rm(r.target_path, { recursive: true, force: true });
        return {};
      }),
      NodeGetVolumeStats: w('NodeGetVolumeStats', (r) => {
        const v = this.volumes.get(r.volume_id);
        const total = v?.capacity ?? 0;
        return { usage: [{ unit: 'BYTES', total, used: 4096, available: total - 4096 }] };
      }),
      NodeExpandVolume: w('NodeExpandVolume', (r) => ({ capacity_bytes: Number(r.capacity_range?.required_bytes ?? 0) })),
    };
  }
}
