const path = require('node:path');
const preset = require('../../jest.preset.js');

// csi-node is an app, not a lib: map it to its source like the preset maps libs (first, so
// the preset's libs/ pattern does not claim it).
// maxWorkers 2: the real-lvm2 file spends its minutes waiting on an emulated guest, and the
// idle suite waits out a real minute; one worker (jest's default on 2 cores) ran them one
// after the other.
module.exports = {
  ...preset,
  rootDir: __dirname,
  testTimeout: 60_000,
  maxWorkers: 2,
  moduleNameMapper: { '^@copse/csi-node$': path.join(__dirname, '../../apps/csi-node/src/app.ts'), ...preset.moduleNameMapper },
};
