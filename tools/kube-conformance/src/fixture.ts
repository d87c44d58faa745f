import type { RunningTestApiServer } from "@copse/kube-test-apiserver";
export type Cluster = RunningTestApiServer;
