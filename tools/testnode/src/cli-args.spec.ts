import { parseSize, parseStartArgs } from './cli-args';

describe('parseSize', () => {
  it.each([
    ['4096', 4096],
    ['512M', 512 * 1024 ** 2],
    ['8G', 8 * 1024 ** 3],
    ['8GiB', 8 * 1024 ** 3],
    ['2t', 2 * 1024 ** 4],
    ['1k', 1024],
  ])('%s is %d bytes', (text, bytes) => {
    expect(parseSize(text)).toBe(bytes);
  });

  it.each(['', 'G', '1.5G', '-1G', '8X'])('rejects %p', (text) => {
    expect(() => parseSize(text)).toThrow(/not a size/);
  });
});

describe('parseStartArgs', () => {
  it('reads shares, forwards, services with env and cwd, and volume groups', () => {
    const args = parseStartArgs([
      '--config', 'lvmd.yaml',
      '--share', '/work/main:/mnt/share',
      '--forward', '8080',
      '--service', 'lvmd=node /mnt/share/apps/lvmd-http/dist/main.js --config /testnode/files/lvmd.yaml',
      '--env', 'lvmd:LOG_LEVEL=debug',
      '--cwd', 'lvmd:/mnt/share',
      '--vg', 'vg2:poolA:poolB',
      '--disk-size', '16G',
      '--pool-size', '2G',
      '--host-service', '6443:16443',
    ]);
    expect(args).toMatchObject({
      configFile: 'lvmd.yaml',
      shares: [{ hostDir: '/work/main', guestDir: '/mnt/share' }],
      forwards: [8080],
      services: [
        {
          name: 'lvmd',
          argv: ['node', '/mnt/share/apps/lvmd-http/dist/main.js', '--config', '/testnode/files/lvmd.yaml'],
          env: { LOG_LEVEL: 'debug' },
          cwd: '/mnt/share',
        },
      ],
      volumeGroups: [{ name: 'vg2', pools: ['poolA', 'poolB'] }],
      diskSizeBytes: 16 * 1024 ** 3,
      poolSizeBytes: 2 * 1024 ** 3,
      hostServices: [{ guestPort: 6443, hostPort: 16443 }],
    });
  });

  it.each([
    [['--forward', '99999'], /not a TCP port/],
    [['--share', '/only-host'], /expected A:B/],
    [['--env', 'nosvc:A=1'], /no --service named nosvc/],
    [['--bogus'], /unknown option/],
    [['--forward'], /needs a value/],
  ])('rejects %p', (argv, message) => {
    expect(() => parseStartArgs(argv)).toThrow(message);
  });
});
