import { credentials, makeGenericClientConstructor, type ClientOptions, type ClientUnaryCall, type ServiceDefinition, type ServiceError } from '@grpc/grpc-js';
import { CsiContract, type ControllerClient, type GroupControllerClient, type IdentityClient, type NodeClient } from '@copse/csi-spec';
import { socketPathOf } from './endpoint';

interface Clients {
  Identity: IdentityClient;
  Controller: ControllerClient;
  Node: NodeClient;
  GroupController: GroupControllerClient;
}

/**
 * A typed grpc-js client of one CSI service at `endpoint` (a unix socket, written as the
 * server takes it): what kubelet and the sidecars are to the server, for tests and the
 * sidecar stand-ins. Close it with `client.close()`.
 */
export function csiClient<S extends keyof Clients>(service: S, endpoint: string, contract: CsiContract = CsiContract.load(), options?: ClientOptions): Clients[S] {
  const Client = makeGenericClientConstructor(contract.services[service] as unknown as ServiceDefinition, service);
  return new Client(`unix://${socketPathOf(endpoint)}`, credentials.createInsecure(), options) as unknown as Clients[S];
}

/** A unary call as a promise of its response, or of the ServiceError (code, details) it failed with. */
export function callUnary<Res>(start: (callback: (err: ServiceError | null, res?: Res) => void) => ClientUnaryCall): Promise<Res> {
  return new Promise((resolve, reject) => {
    start((err, res) => (err ? reject(err) : resolve(res as Res)));
  });
}
