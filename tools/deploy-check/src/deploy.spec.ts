import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { mergeApiCalls, type ApiCall, type Verb } from '@copse/controller-runtime';
import { apiGroups, nameSet, type ApiGroup } from '@copse/k8s-crd';
import { container, flag, mountOf, podSpec, workloads, type Container, type PodSpec } from './pods';
import { appFlags, kubectlVersion, render, workspace, type FlagSpec, type K8sObject } from './render';
import { SIDECAR_CALLS } from './sidecars';

// The apps of the image, by the entry point a container runs (the `bin` of each package.json).
const APPS = ['csi-controller', 'csi-node', 'lvmd-http'] as const;
const IMAGE_ROOT = '/opt/copse';
const overlays: [string, ApiGroup][] = apiGroups().map((g) => [`deploy/overlays/${g}`, g]);

function binOf(app: string): string {
  const pkg = JSON.parse(readFileSync(join(workspace, 'apps', app, 'package.json'), 'utf8')) as { bin: Record<string, string> };
  return join('apps', app, pkg.bin[app]!);
}

/** The app a container runs, from its command (node /opt/copse/apps/<app>/dist/main.js). */
function appOf(c: Container): (typeof APPS)[number] | undefined {
  return APPS.find((app) => c.command?.[0] === 'node' && c.command[1] === `${IMAGE_ROOT}/${binOf(app)}`);
}

function portNumber(c: Container, port: string | number): number {
  if (typeof port === 'number') return port;
  const p = c.ports?.find((x) => x.name === port);
  if (!p) throw new Error(`${c.name}: no port named ${port}`);
  return p.containerPort;
}

/** The app's exported list of API calls (apps/<app>/src/api-calls.ts, built). */
function appApiCalls(app: string, group: string): ApiCall[] {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (require(join(workspace, 'apps', app, 'dist/api-calls.js')) as { apiCalls: (g: string) => ApiCall[] }).apiCalls(group);
}

/** A role's rules as calls, one per group and resource. */
function granted(objects: K8sObject[], kind: 'ClusterRole' | 'Role', name: string): ApiCall[] {
  const role = objects.find((o) => o.kind === kind && o.metadata.name === name) as unknown as { rules: { apiGroups: string[]; resources: string[]; verbs: Verb[] }[] } | undefined;
  if (!role) return [];
  return mergeApiCalls([role.rules.flatMap((r) => r.apiGroups.flatMap((group) => r.resources.map((resource) => ({ group, resource, verbs: r.verbs }))))]);
}

const endpointPort = (address: string) => Number(/:(\d+)$/.exec(address)?.[1]);

let flagTables: Record<string, FlagSpec[]>;
beforeAll(async () => {
  flagTables = Object.fromEntries(await Promise.all(APPS.map(async (app) => [app, await appFlags(binOf(app))] as const)));
});

it('asks each app for its flags (--help=json) and gets its table', () => {
  for (const app of APPS) expect(flagTables[app]!.map((f) => f.name)).toContain('help');
});

describe.each(overlays)('%s', (overlay, group) => {
  const names = nameSet(group);
  let objects: K8sObject[];
  let text: string;
  let controller: PodSpec;
  let node: PodSpec;
  beforeAll(async () => {
    ({ objects, text } = await render(overlay));
    const [deployment] = objects.filter((o) => o.kind === 'Deployment');
    const [daemonSet] = objects.filter((o) => o.kind === 'DaemonSet');
    controller = podSpec(deployment!);
    node = podSpec(daemonSet!);
  });
  const byKind = (kind: string) => objects.filter((o) => o.kind === kind);

  it('runs each Copse container from an app entry point, with only flags that app accepts', () => {
    const ours = workloads(objects).flatMap((w) => podSpec(w).containers.filter((c) => c.image.startsWith('copse:')));
    expect(ours.map((c) => c.name).sort()).toEqual(['csi-controller', 'csi-node', 'lvmd-http']);
    for (const c of ours) {
      const app = appOf(c);
      expect({ container: c.name, app }).toEqual({ container: c.name, app: c.name });
      const table = flagTables[app!]!;
      for (const arg of c.args ?? []) {
        const m = /^--([a-z0-9-]+)(=(.*))?$/.exec(arg);
        expect({ container: c.name, arg, wellFormed: !!m }).toEqual({ container: c.name, arg, wellFormed: true });
        const spec = table.find((f) => f.name === m![1]);
        expect({ container: c.name, arg, known: spec?.type }).toEqual({ container: c.name, arg, known: m![2] === undefined ? 'boolean' : 'string' });
      }
    }
  });

  it("passes each Copse container's arguments through its app's own parseFlags", () => {
    for (const c of workloads(objects).flatMap((w) => podSpec(w).containers.filter((x) => x.image.startsWith('copse:')))) {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const { parseFlags } = require(join(workspace, 'apps', c.name, 'dist/flags.js')) as { parseFlags: (argv: string[], env?: object) => unknown };
      // what kubelet substitutes from the downward API
      const argv = (c.args ?? []).map((a) => a.replace(/\$\(NODE_NAME\)/g, 'node-a'));
      expect(() => parseFlags(argv, { NODE_NAME: 'node-a' })).not.toThrow();
    }
  });

  it('defines every $(VAR) an argument uses in the container', () => {
    for (const w of workloads(objects)) {
      for (const c of podSpec(w).containers) {
        for (const arg of c.args ?? []) {
          for (const [, v] of arg.matchAll(/\$\(([A-Z_]+)\)/g)) expect({ c: c.name, v, defined: (c.env ?? []).some((e) => e.name === v) }).toEqual({ c: c.name, v, defined: true });
        }
      }
    }
  });

  it(`uses only the ${group} names`, () => {
    const other = apiGroups().filter((g) => g !== group);
    for (const g of other) expect(text).not.toContain(g);
    expect(byKind('CSIDriver').map((o) => o.metadata.name)).toEqual([names.driverName]);
    expect(byKind('CustomResourceDefinition').map((o) => o.metadata.name)).toEqual([names.crdName]);
    for (const sc of byKind('StorageClass') as unknown as { provisioner: string; parameters: Record<string, string> }[]) {
      expect(sc.provisioner).toBe(names.driverName);
      for (const key of Object.keys(sc.parameters)) expect(['csi.storage.k8s.io/fstype', names.deviceClassParameter]).toContain(key);
    }
    for (const vsc of byKind('VolumeSnapshotClass') as unknown as { driver: string }[]) expect(vsc.driver).toBe(names.driverName);
    expect(flag(container(controller, 'csi-controller'), 'api-group')).toBe(group);
    expect(flag(container(node, 'csi-node'), 'api-group')).toBe(group);
    expect(flag(container(node, 'node-driver-registrar'), 'kubelet-registration-path')).toMatch(new RegExp(`^/var/lib/kubelet/plugins/${names.driverName.replace(/\./g, '\\.')}/`));
  });

  it('has the CSIDriver the issue asks for', () => {
    expect((byKind('CSIDriver')[0] as unknown as { spec: object }).spec).toEqual({
      attachRequired: false,
      podInfoOnMount: true,
      storageCapacity: true,
      fsGroupPolicy: 'File',
      volumeLifecycleModes: ['Persistent'],
    });
  });

  it('has thin ext4, xfs and block StorageClasses, WaitForFirstConsumer and expandable', () => {
    const classes = byKind('StorageClass') as unknown as { parameters: Record<string, string>; volumeBindingMode: string; allowVolumeExpansion: boolean }[];
    expect(classes.map((c) => c.parameters['csi.storage.k8s.io/fstype'] ?? 'block').sort()).toEqual(['block', 'ext4', 'xfs']);
    for (const c of classes) expect([c.volumeBindingMode, c.allowVolumeExpansion, c.parameters[names.deviceClassParameter]]).toEqual(['WaitForFirstConsumer', true, 'thin']);
  });

  it('puts the controller and its sidecars on one CSI socket', () => {
    const socket = flag(container(controller, 'csi-controller'), 'csi-socket')!;
    const at = mountOf(controller, container(controller, 'csi-controller'), socket)!;
    expect(at.volume.emptyDir).toBeDefined();
    for (const c of controller.containers.filter((x) => x.name !== 'csi-controller')) {
      expect({ c: c.name, address: flag(c, 'csi-address') }).toEqual({ c: c.name, address: socket });
      expect(mountOf(controller, c, socket)).toEqual(at);
    }
  });

  it("puts csi-node's CSI socket where node-driver-registrar tells kubelet it is", () => {
    const csiNode = container(node, 'csi-node');
    const socket = flag(csiNode, 'csi-socket')!;
    const at = mountOf(node, csiNode, socket)!;
    for (const name of ['node-driver-registrar', 'liveness-probe']) {
      const c = container(node, name);
      expect(flag(c, 'csi-address')).toBe(socket);
      expect(mountOf(node, c, socket)).toEqual(at);
    }
    expect(flag(container(node, 'node-driver-registrar'), 'kubelet-registration-path')).toBe(`${at.volume.hostPath!.path}${at.rest}`);
  });

  it("shares lvmd-http's unix socket with csi-node, and probes lvmd-http on it", () => {
    const lvmd = container(node, 'lvmd-http');
    const listen = flag(lvmd, 'listen')!;
    expect(listen).toMatch(/^unix:\//);
    const socket = listen.slice('unix:'.length);
    const csiNode = container(node, 'csi-node');
    expect(flag(csiNode, 'lvmd-socket')).toBe(socket);
    const at = mountOf(node, lvmd, socket)!;
    expect(at.volume.emptyDir).toBeDefined();
    expect(mountOf(node, csiNode, socket)).toEqual(at);
    for (const probe of [lvmd.livenessProbe, lvmd.readinessProbe]) {
      const argv = probe!.exec!.command;
      expect(argv[argv.indexOf('--unix-socket') + 1]).toBe(socket);
      expect(argv.at(-1)).toMatch(/^http:\/\/localhost\/(healthz|readyz)$/);
    }
  });

  it('probes the ports the apps and the livenessprobe sidecar serve', () => {
    for (const [pod, name] of [
      [controller, 'csi-controller'],
      [node, 'csi-node'],
    ] as const) {
      const c = container(pod, name);
      const metricsPort = endpointPort(flag(c, 'metrics-address')!);
      expect(portNumber(c, 'metrics')).toBe(metricsPort);
      // the apps serve /healthz beside /metrics on --metrics-address (docs/csi-*.md)
      expect(c.readinessProbe!.httpGet).toEqual({ path: '/healthz', port: 'metrics' });
      const liveness = c.livenessProbe!.httpGet!;
      expect(liveness.path).toBe('/healthz');
      expect(portNumber(c, liveness.port)).toBe(endpointPort(flag(container(pod, 'liveness-probe'), 'http-endpoint')!));
    }
    const registrar = container(node, 'node-driver-registrar');
    expect(portNumber(registrar, registrar.livenessProbe!.httpGet!.port)).toBe(endpointPort(flag(registrar, 'http-endpoint')!));
  });

  it('pins every image and requests resources', () => {
    for (const w of workloads(objects)) {
      for (const c of podSpec(w).containers) {
        expect({ c: c.name, image: /:v?\d+\.\d+\.\d+$/.test(c.image) }).toEqual({ c: c.name, image: true });
        expect((c as { resources?: { requests?: object } }).resources?.requests).toBeDefined();
      }
    }
  });

  it('turns on leader election, topology, capacity tracking and extra create metadata', () => {
    expect(flag(container(controller, 'csi-controller'), 'leader-election')).toBe('true');
    const provisioner = container(controller, 'csi-provisioner');
    expect(flag(provisioner, 'feature-gates')).toBe('Topology=true');
    for (const f of ['enable-capacity', 'extra-create-metadata']) expect(flag(provisioner, f)).toBe('');
    for (const name of ['csi-provisioner', 'csi-snapshotter', 'csi-resizer']) expect(flag(container(controller, name), 'leader-election')).toBe('');
  });

  it('spells out every RBAC rule: no wildcard, every role bound to a ServiceAccount a workload runs as', () => {
    const accounts = new Set(workloads(objects).map((w) => podSpec(w).serviceAccountName));
    for (const role of objects.filter((o) => o.kind === 'ClusterRole' || o.kind === 'Role') as unknown as { metadata: { name: string }; rules: Record<string, string[]>[] }[]) {
      for (const rule of role.rules) for (const key of ['apiGroups', 'resources', 'verbs']) expect(rule[key]!.join(',')).not.toContain('*');
      const bindings = objects.filter((o) => o.kind === `${(role as unknown as K8sObject).kind}Binding` && (o as unknown as { roleRef: { name: string } }).roleRef.name === role.metadata.name);
      expect(bindings).toHaveLength(1);
      for (const s of (bindings[0] as unknown as { subjects: { name: string }[] }).subjects) expect(accounts).toContain(s.name);
    }
  });

  it("grants csi-controller and csi-node exactly the API calls their code exports", () => {
    expect(mergeApiCalls([granted(objects, 'ClusterRole', 'copse-controller'), granted(objects, 'Role', 'copse-controller')])).toEqual(appApiCalls('csi-controller', group));
    // leases are the only namespaced need: in a Role, the rest cluster-wide
    expect(granted(objects, 'Role', 'copse-controller').map((c) => c.resource)).toEqual(['leases']);
    expect(granted(objects, 'ClusterRole', 'copse-node')).toEqual(appApiCalls('csi-node', group));
    expect(objects.filter((o) => o.kind === 'Role' && o.metadata.name === 'copse-node')).toEqual([]);
  });

  it('grants each sidecar what its upstream RBAC asks for the features on, nothing more', () => {
    for (const [name, calls] of Object.entries(SIDECAR_CALLS)) {
      expect({ name, cluster: granted(objects, 'ClusterRole', name) }).toEqual({ name, cluster: mergeApiCalls([calls.cluster]) });
      expect({ name, namespaced: granted(objects, 'Role', name) }).toEqual({ name, namespaced: mergeApiCalls([calls.namespaced]) });
    }
    const roles = objects.filter((o) => o.kind === 'ClusterRole' || o.kind === 'Role').map((o) => o.metadata.name);
    expect([...new Set(roles)].sort()).toEqual(['copse-controller', 'copse-node', ...Object.keys(SIDECAR_CALLS)].sort());
  });

  it('has no privileged setting beyond the commented ones of deploy/', () => {
    const rendered = workloads(objects).flatMap((w) => privilegedSettings(podSpec(w)));
    expect(rendered.length).toBeGreaterThan(0);
    expect(rendered.length).toBe(commentedPrivileges().length);
  });
});

/** The privileged settings of a pod, as kubectl would apply them. */
function privilegedSettings(pod: PodSpec): string[] {
  const out: string[] = [];
  for (const k of ['hostPID', 'hostNetwork', 'hostIPC'] as const) if (pod[k]) out.push(k);
  for (const v of pod.volumes ?? []) if (v.hostPath) out.push(`hostPath ${v.hostPath.path}`);
  for (const c of pod.containers) {
    if (c.securityContext?.privileged) out.push(`${c.name} privileged`);
    if (c.securityContext?.allowPrivilegeEscalation === true) out.push(`${c.name} allowPrivilegeEscalation`);
    for (const cap of c.securityContext?.capabilities?.add ?? []) out.push(`${c.name} ${cap}`);
    for (const m of c.volumeMounts ?? []) {
      if (m.mountPropagation === 'Bidirectional') out.push(`${c.name} Bidirectional ${m.mountPath}`);
      if (m.mountPath === '/dev') out.push(`${c.name} /dev`);
    }
  }
  return out;
}

const PRIVILEGED_LINE = /^\s*-?\s*(hostPID: true|hostNetwork: true|hostIPC: true|hostPath:|privileged: true|allowPrivilegeEscalation: true|mountPropagation: Bidirectional|mountPath: \/dev\b|add:)/;

/** The privileged settings written in deploy/'s sources; each must say why on its line. */
function commentedPrivileges(): string[] {
  const found: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir)) {
      const path = join(dir, entry);
      if (statSync(path).isDirectory()) walk(path);
      else if (entry.endsWith('.yaml')) {
        readFileSync(path, 'utf8').split('\n').forEach((line, i) => {
          if (!PRIVILEGED_LINE.test(line)) return;
          const where = `${relative(workspace, path)}:${i + 1}`;
          expect({ where, line, why: /#\s*why: \S/.test(line) }).toEqual({ where, line, why: true });
          found.push(where);
        });
      }
    }
  };
  walk(join(workspace, 'deploy'));
  return found;
}

describe('kustomize versions', () => {
  it('renders every overlay alike with each kubectl in DEPLOY_CHECK_KUBECTLS (e.g. Debian 1.20 beside 1.32)', async () => {
    const others = (process.env['DEPLOY_CHECK_KUBECTLS'] ?? '').split(':').filter(Boolean);
    // .ci/run unpacks Debian's kubectl 1.20 for this: CI never passes it by comparing nothing
    if (process.env['CI'] === 'true') expect(others.length).toBeGreaterThan(0);
    for (const kubectl of others) {
      for (const overlay of [...overlays.map(([o]) => o), 'deploy/overlays/monitoring']) {
        const [a, b] = await Promise.all([render(overlay), render(overlay, kubectl)]);
        expect({ kubectl: await kubectlVersion(kubectl), overlay, text: b.text }).toEqual({ kubectl: await kubectlVersion(kubectl), overlay, text: a.text });
      }
    }
  });

  it('renders the monitoring overlay: a PodMonitor on the metrics port, data% and metadata% alerts', async () => {
    const { objects } = await render('deploy/overlays/monitoring');
    const monitor = objects.find((o) => o.kind === 'PodMonitor') as unknown as { spec: { podMetricsEndpoints: { port: string }[] } };
    expect(monitor.spec.podMetricsEndpoints.map((e) => e.port)).toEqual(['metrics']);
    const rules = JSON.stringify(objects.find((o) => o.kind === 'PrometheusRule'));
    expect(rules).toContain('topolvm_thinpool_data_percent');
    expect(rules).toContain('topolvm_thinpool_metadata_percent');
  });
});
