/**
 * The jest fixture: one cluster per spec file (KUBECONFIG's, or a test server started for
 * the file), connected before the file's tests and cleaned up after them.
 *
 *   const cluster = useCluster();
 *   it('...', async () => { const { api } = cluster(); ... });
 */
import { connect, type Cluster } from './cluster';

export type { Cluster } from './cluster';

export function useCluster(): () => Cluster {
  let cluster: Cluster | undefined;
  beforeAll(async () => {
    cluster = await connect();
  }, 60_000);
  afterAll(async () => {
    await cluster?.close();
  }, 120_000);
  return () => {
    if (!cluster) throw new Error('the cluster is not connected (did beforeAll fail?)');
    return cluster;
  };
}
