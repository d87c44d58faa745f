const path = require('node:path');
const preset = require('../../jest.preset.js');

// csi-node is an app, not a lib: map it to its source like the preset maps libs (first, so
// the preset's libs/ pattern does not claim it).
module.exports = {
  ...preset,
  rootDir: __dirname,
  testTimeout: 60_000,
  moduleNameMapper: { '^@copse/csi-node$': path.join(__dirname, '../../apps/csi-node/src/app.ts'), ...preset.moduleNameMapper },
};
