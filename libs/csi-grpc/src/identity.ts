import type { GetPluginCapabilitiesResponse, GetPluginInfoResponse, PluginCapability, ProbeResponse } from '@copse/csi-spec';
import type { IdentityService } from './types';
import { checkPluginName } from './validate';

export interface IdentityOptions {
  /** the driver name (`topolvm.io`): domain name notation, at most 63 characters */
  readonly name: string;
  /** the plugin's version, opaque to the CO */
  readonly vendorVersion: string;
  readonly manifest?: Readonly<Record<string, string>>;
  readonly capabilities: readonly PluginCapability[];
  /**
   * Whether the plugin is ready (false: still starting, the CO waits). Throw a CsiError
   * (FAILED_PRECONDITION, UNAVAILABLE) when it is unhealthy and may need a restart.
   */
  readonly ready: (signal: AbortSignal) => boolean | Promise<boolean>;
}

/** The Identity service both CSI apps serve: the same answers, their own name, capabilities and readiness. */
export function identityService(o: IdentityOptions): IdentityService {
  checkPluginName(o.name);
  if (o.vendorVersion === '') throw new Error('the plugin needs a vendor version');
  const info: GetPluginInfoResponse = { name: o.name, vendor_version: o.vendorVersion, manifest: { ...o.manifest } };
  const capabilities: GetPluginCapabilitiesResponse = { capabilities: [...o.capabilities] };
  return {
    GetPluginInfo: () => info,
    GetPluginCapabilities: () => capabilities,
    Probe: async (_request, ctx): Promise<ProbeResponse> => ({ ready: { value: await o.ready(ctx.signal) } }),
  };
}
