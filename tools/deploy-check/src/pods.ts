import type { K8sObject } from './render';

export interface Container {
  name: string;
  image: string;
  command?: string[];
  args?: string[];
  env?: { name: string; value?: string; valueFrom?: unknown }[];
  ports?: { name?: string; containerPort: number }[];
  volumeMounts?: { name: string; mountPath: string; mountPropagation?: string; readOnly?: boolean }[];
  livenessProbe?: Probe;
  readinessProbe?: Probe;
  securityContext?: { privileged?: boolean; allowPrivilegeEscalation?: boolean; capabilities?: { add?: string[] } };
}
export interface Probe {
  httpGet?: { path: string; port: string | number };
  exec?: { command: string[] };
}
export interface Volume {
  name: string;
  hostPath?: { path: string };
  emptyDir?: object;
  configMap?: { name: string };
}
export interface PodSpec {
  containers: Container[];
  volumes?: Volume[];
  hostPID?: boolean;
  hostNetwork?: boolean;
  hostIPC?: boolean;
  serviceAccountName?: string;
}

export function podSpec(o: K8sObject): PodSpec {
  return (o as unknown as { spec: { template: { spec: PodSpec } } }).spec.template.spec;
}

export function workloads(objects: K8sObject[]): K8sObject[] {
  return objects.filter((o) => o.kind === 'Deployment' || o.kind === 'DaemonSet');
}

/** `--name=value` or `--name` (the sidecars' and our flags are all written with `=`). */
export function flag(c: Container, name: string): string | undefined {
  for (const a of c.args ?? []) {
    if (a === `--${name}`) return '';
    if (a.startsWith(`--${name}=`)) return a.slice(name.length + 3);
  }
  return undefined;
}

export function container(pod: PodSpec, name: string): Container {
  const c = pod.containers.find((x) => x.name === name);
  if (!c) throw new Error(`no container ${name}`);
  return c;
}

/** The volume and the path inside it that `path` lands on in this container (longest mount prefix). */
export function mountOf(pod: PodSpec, c: Container, path: string): { volume: Volume; rest: string } | undefined {
  const m = (c.volumeMounts ?? [])
    .filter((v) => path === v.mountPath || path.startsWith(`${v.mountPath.replace(/\/$/, '')}/`))
    .sort((a, b) => b.mountPath.length - a.mountPath.length)[0];
  if (!m) return undefined;
  const volume = (pod.volumes ?? []).find((v) => v.name === m.name);
  if (!volume) throw new Error(`volumeMount ${m.name} of ${c.name} names no volume`);
  return { volume, rest: path.slice(m.mountPath.replace(/\/$/, '').length) };
}
