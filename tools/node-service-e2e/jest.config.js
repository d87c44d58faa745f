// testTimeout: one test formats, mounts and checksums through a QEMU guest on a shared
// 2-core machine; jest's 5 s default measures the machine's load, not the code.
module.exports = { ...require('../../jest.preset.js'), rootDir: __dirname, testTimeout: 300_000 };
