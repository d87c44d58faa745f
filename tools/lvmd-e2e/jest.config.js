// maxWorkers 2: the three real-lvm2 files each boot their own test node and spend most of
// their time waiting on an emulated guest; one worker (jest's default on 2 cores) ran them
// one after another, the longest project of `npm test`, alone at its end.
module.exports = { ...require('../../jest.preset.js'), rootDir: __dirname, maxWorkers: 2 };
