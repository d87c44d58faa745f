import * as path from 'node:path';
import type { TestNodeService, TestNodeShare } from './testnode';

/** Where the workspace's apps, libs and node_modules appear in the guest. */
export const GUEST_WORKSPACE = '/mnt/share';

/** The workspace's apps, libs and node_modules, shared read-only: node resolves fastify and @copse/* from them. */
export function workspaceShares(workspaceRoot: string): TestNodeShare[] {
  return ['apps', 'libs', 'node_modules'].map((d) => ({ hostDir: path.join(workspaceRoot, d), guestDir: `${GUEST_WORKSPACE}/${d}` }));
}

export interface LvmdHttpServiceOptions {
  readonly name: string;
  readonly port: number;
  /** file names under /testnode/files (the node's `files` option) */
  readonly configFile: string;
  readonly tokenFile: string;
  readonly extraArgs?: readonly string[];
}

/**
 * lvmd-http from the workspace's build on real lvm2 in the guest: TCP with a bearer
 * token (the only way lvmd-http serves TCP), no nsenter prefix (the guest is the host).
 */
export function lvmdHttpService(o: LvmdHttpServiceOptions): TestNodeService {
  return {
    name: o.name,
    cwd: GUEST_WORKSPACE,
    argv: [
      'node', `${GUEST_WORKSPACE}/apps/lvmd-http/dist/main.js`,
      '--config', `/testnode/files/${o.configFile}`,
      '--backend', 'lvm',
      '--lvm-path', '/usr/sbin/lvm',
      '--lvm-command-prefix', '[]',
      '--listen', `tcp:0.0.0.0:${o.port}`,
      '--token-file', `/testnode/files/${o.tokenFile}`,
      ...(o.extraArgs ?? []),
    ],
  };
}
