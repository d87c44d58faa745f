// Each spec file starts its own API test server, test node and csi-controller process; the
// timeout covers that start on a loaded 2-core machine, not a speed goal.
module.exports = { ...require('../../jest.preset.js'), rootDir: __dirname, testTimeout: 60_000 };
