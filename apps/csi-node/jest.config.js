// testTimeout: several specs start servers and run a few dozen requests; jest's default 5 s
// is not a speed goal, and on a loaded shared machine it failed suites that measure nothing.
module.exports = { ...require('../../jest.preset.js'), rootDir: __dirname, testTimeout: 30_000 };
