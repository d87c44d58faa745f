// The preset maps @copse/<name> to libs/<name>/src; the test node lives in tools/.
const path = require('node:path');
const preset = require('../../jest.preset.js');

module.exports = {
  ...preset,
  rootDir: __dirname,
  moduleNameMapper: {
    '^@copse/testnode$': path.join(__dirname, '../testnode/src/index.ts'),
    ...preset.moduleNameMapper,
  },
};
