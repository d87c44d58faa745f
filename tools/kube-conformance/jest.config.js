// Each spec file gets its own cluster: a test server of its own, or KUBECONFIG's cluster,
// where files run one at a time (they install and remove cluster-wide CRDs). Waits inside
// tests watch for what they expect and give up after 30-120 s on a slow real cluster.
module.exports = {
  ...require('../../jest.preset.js'),
  rootDir: __dirname,
  testTimeout: 180_000,
  ...(process.env.KUBECONFIG ? { maxWorkers: 1 } : {}),
};
