import { FlagError, parseFlags } from './flags';

describe('flags', () => {
  it('has limits with sensible defaults', () => {
    expect(parseFlags([])).toMatchObject({
      maxConnections: 512,
      headersTimeoutMs: 10_000,
      requestTimeoutMs: 30_000,
      keepAliveTimeoutMs: 5_000,
      watchHistory: 1024,
      watchBufferBytes: 1024 * 1024,
      watchStallTimeoutMs: 30_000,
    });
  });

  it('reads the limits', () => {
    const f = parseFlags([
      '--max-connections', '64', '--headers-timeout', '2', '--request-timeout', '5.5', '--keep-alive-timeout', '1',
      '--watch-history', '10', '--watch-buffer', '256Ki', '--watch-stall-timeout', '7',
    ]);
    expect(f).toMatchObject({ maxConnections: 64, headersTimeoutMs: 2000, requestTimeoutMs: 5500, keepAliveTimeoutMs: 1000, watchHistory: 10, watchBufferBytes: 262144, watchStallTimeoutMs: 7000 });
  });

  it.each([
    [['--listen', 'tcp:127.0.0.1:8080'], /needs --token-file or --tls-client-ca/],
    [['--listen', 'tcp:127.0.0.1:8080', '--tls-cert', 'c', '--tls-key', 'k'], /needs --token-file or --tls-client-ca/],
    [['--tls-cert', 'c', '--tls-key', 'k', '--token-file', 't'], /need --listen tcp/],
    [['--listen', 'tcp:127.0.0.1:1', '--tls-cert', 'c', '--token-file', 't'], /--tls-cert and --tls-key go together/],
    [['--listen', 'tcp:127.0.0.1:1', '--tls-client-ca', 'ca'], /--tls-cert and --tls-key go together/],
    [['--max-connections', '0'], /--max-connections must be a whole number/],
    [['--max-connections', '1e3'], /--max-connections must be a whole number/],
    [['--request-timeout', '0'], /--request-timeout must be more than 0/],
    [['--headers-timeout', '40'], /--headers-timeout must not be longer than --request-timeout/],
    [['--keep-alive-timeout', 'x'], /--keep-alive-timeout must be a number of seconds/],
    [['--watch-buffer', 'lots'], /--watch-buffer/],
    [['--watch-history', '1.5'], /--watch-history must be a whole number/],
  ])('refuses %j', (argv, message) => {
    expect(() => parseFlags(argv)).toThrow(FlagError);
    expect(() => parseFlags(argv)).toThrow(message);
  });

  it('serves TCP with a token, with a client CA, or with both', () => {
    const tcp = ['--listen', 'tcp:127.0.0.1:8080'];
    expect(parseFlags([...tcp, '--token-file', 't']).tls).toBeUndefined();
    expect(parseFlags([...tcp, '--tls-cert', 'c', '--tls-key', 'k', '--tls-client-ca', 'ca']).tls).toEqual({ certPath: 'c', keyPath: 'k', clientCaPath: 'ca' });
    expect(parseFlags([...tcp, '--token-file', 't', '--tls-cert', 'c', '--tls-key', 'k']).tls).toEqual({ certPath: 'c', keyPath: 'k' });
  });
});
