// One stack (API test server, two nodes' lvmd-http and csi-node, csi-controller, stand-ins) per
// spec file, as real processes; the timeout covers their start on a loaded 2-core machine.
module.exports = { ...require('../../jest.preset.js'), rootDir: __dirname, testTimeout: 120_000 };
