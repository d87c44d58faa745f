// One sandbox per spec file, started as `npm start` starts it; the timeout covers its start on a
// loaded 2-core machine.
module.exports = { ...require('../../jest.preset.js'), rootDir: __dirname, testTimeout: 120_000 };
