// kubectl kustomize and `node main.js --help=json` are processes: seconds each on a loaded machine
module.exports = { ...require('../../jest.preset.js'), rootDir: __dirname, testTimeout: 120_000 };
