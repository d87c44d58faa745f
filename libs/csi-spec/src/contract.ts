import * as protoLoader from '@grpc/proto-loader';
import * as protobuf from 'protobufjs';
import type { ControllerDefinition } from './generated/csi/v1/Controller';
import type { GroupControllerDefinition } from './generated/csi/v1/GroupController';
import type { IdentityDefinition } from './generated/csi/v1/Identity';
import type { NodeDefinition } from './generated/csi/v1/Node';
import type { SnapshotMetadataDefinition } from './generated/csi/v1/SnapshotMetadata';
import loaderOptionsJson from './loader-options.json';
import { csiProtoPath } from './proto-path';
import { findSecretFields, stripSecrets } from './secrets';

/** The CSI version third_party/csi/csi.proto is. */
export const CSI_SPEC_VERSION = '1.12.0';

/** The proto package every CSI service and message lives in. */
export const CSI_PACKAGE = 'csi.v1';

/**
 * How proto-loader turns wire messages into objects; the generated types are made with
 * the same options (scripts/codegen.mjs reads loader-options.json), so they describe
 * exactly what a handler receives:
 * - keepCase: field names as in csi.proto and the spec (`volume_id`, `capacity_range`), so a
 *   validation message names the field the way the spec, the sidecars and csi-sanity do;
 * - enums as strings: `'SINGLE_NODE_WRITER'` reads in logs and code; numbers are still
 *   accepted in responses;
 * - int64 as decimal strings: exact for every value the wire can carry (capacities are
 *   int64 and may exceed 2^53); handlers convert at the edge with a range check
 *   (@copse/csi-grpc's int64 helpers), and the type system makes them (a string cannot be
 *   compared with a number);
 * - defaults: absent scalars arrive as '' / 0 / false, repeated as [], maps as {},
 *   absent messages as null, as the spec's proto3 semantics say;
 * - oneofs: a virtual field names the member set (`access_type: 'mount'`).
 */
export const CSI_LOADER_OPTIONS: protoLoader.Options = {
  ...loaderOptionsJson,
  longs: String,
  enums: String,
};

export type CsiServiceName = 'Identity' | 'Controller' | 'Node' | 'GroupController' | 'SnapshotMetadata';

export interface CsiServiceDefinitions {
  readonly Identity: IdentityDefinition;
  readonly Controller: ControllerDefinition;
  readonly Node: NodeDefinition;
  readonly GroupController: GroupControllerDefinition;
  readonly SnapshotMetadata: SnapshotMetadataDefinition;
}

/** One RPC of the contract. */
export interface CsiMethod {
  readonly service: CsiServiceName;
  readonly name: string;
  /** the gRPC path, `/csi.v1.Controller/CreateVolume` */
  readonly path: string;
  /** full message names, `csi.v1.CreateVolumeRequest` */
  readonly requestType: string;
  readonly responseType: string;
  readonly responseStream: boolean;
  /** marked `alpha_method` (or its service `alpha_service`): OPTIONAL and experimental */
  readonly alpha: boolean;
}

const SERVICES: readonly CsiServiceName[] = ['Identity', 'Controller', 'Node', 'GroupController', 'SnapshotMetadata'];

/**
 * The CSI contract, loaded once from the vendored csi.proto: the gRPC service definitions
 * to serve, the RPC table, and the secret fields read from the proto's own `csi_secret`
 * options. Parsed once with protobufjs; proto-loader builds the service definitions from
 * that same parse.
 */
export class CsiContract {
  readonly services: CsiServiceDefinitions;
  readonly methods: ReadonlyMap<string, CsiMethod>;
  /** message full name -> its fields marked `csi_secret` */
  readonly secretFields: ReadonlyMap<string, readonly string[]>;

  private constructor(private readonly root: protobuf.Root) {
    const pkg = protoLoader.fromJSON(root.toJSON(), CSI_LOADER_OPTIONS);
    // the generated *Definition types are proto-loader's ServiceDefinition, method by method
    const service = <T>(name: CsiServiceName): T => {
      const d = pkg[`${CSI_PACKAGE}.${name}`];
      if (!d || 'format' in d) throw new Error(`csi.proto has no service ${CSI_PACKAGE}.${name}`);
      return d as unknown as T;
    };
    this.services = {
      Identity: service<IdentityDefinition>('Identity'),
      Controller: service<ControllerDefinition>('Controller'),
      Node: service<NodeDefinition>('Node'),
      GroupController: service<GroupControllerDefinition>('GroupController'),
      SnapshotMetadata: service<SnapshotMetadataDefinition>('SnapshotMetadata'),
    };
    const methods = new Map<string, CsiMethod>();
    for (const name of SERVICES) {
      const s = root.lookupService(`${CSI_PACKAGE}.${name}`);
      for (const m of s.methodsArray) {
        const req = m.resolvedRequestType;
        const res = m.resolvedResponseType;
        if (!req || !res) throw new Error(`${CSI_PACKAGE}.${name}/${m.name}: unresolved types`);
        const path = `/${CSI_PACKAGE}.${name}/${m.name}`;
        methods.set(path, {
          service: name,
          name: m.name,
          path,
          requestType: req.fullName.replace(/^\./, ''),
          responseType: res.fullName.replace(/^\./, ''),
          responseStream: m.responseStream === true,
          alpha: m.options?.['(alpha_method)'] === true || s.options?.['(alpha_service)'] === true,
        });
      }
    }
    this.methods = methods;
    this.secretFields = findSecretFields(root);
  }

  /** Loads csi.proto from `protoPath` (by default the one shipped with this library). */
  static load(protoPath: string = csiProtoPath()): CsiContract {
    const root = new protobuf.Root();
    root.loadSync(protoPath, { keepCase: true });
    root.resolveAll();
    return new CsiContract(root);
  }

  /** The RPC `service`/`name`, e.g. ('Controller', 'CreateVolume'). */
  method(service: CsiServiceName, name: string): CsiMethod {
    const m = this.methods.get(`/${CSI_PACKAGE}.${service}/${name}`);
    if (!m) throw new Error(`CSI has no RPC ${service}/${name}`);
    return m;
  }

  /**
   * A copy of `message`, an object of the message type `typeName` (`csi.v1.CreateVolumeRequest`),
   * with every `csi_secret` field at any depth replaced by STRIPPED: what may be logged.
   */
  stripSecrets(typeName: string, message: unknown): unknown {
    return stripSecrets(this.root.lookupType(typeName), message);
  }
}
