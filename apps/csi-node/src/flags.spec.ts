import { CURRENT_API_GROUP, DEFAULT_API_GROUP } from '@copse/k8s-crd';
import { FlagError, parseAddress, parseFlags } from './flags';

describe('parseFlags', () => {
  it('has TopoLVM-like defaults and takes the node name from NODE_NAME', () => {
    const f = parseFlags([], { NODE_NAME: 'node-a' });
    expect(f).toMatchObject({
      nodeName: 'node-a',
      apiGroup: DEFAULT_API_GROUP,
      csiEndpoint: '/run/topolvm/csi-topolvm.sock',
      lvmdEndpoint: 'unix:/run/topolvm/lvmd.sock',
      metrics: { host: '0.0.0.0', port: 8080 },
      watchSelector: 'label',
      workers: 4,
      logLevel: 'info',
      lvmdTimeoutMs: 300_000,
    });
  });

  it('prefers --node-name over NODE_NAME, and requires one of them', () => {
    expect(parseFlags(['--node-name', 'node-b'], { NODE_NAME: 'node-a' }).nodeName).toBe('node-b');
    expect(() => parseFlags([], {})).toThrow(/--node-name is required/);
    expect(() => parseFlags(['--node-name', 'Node_A'])).toThrow(/not a Kubernetes node name/);
  });

  it('switches every name with --api-group and refuses other groups', () => {
    expect(parseFlags(['--node-name', 'n', '--api-group', CURRENT_API_GROUP]).apiGroup).toBe(CURRENT_API_GROUP);
    expect(() => parseFlags(['--node-name', 'n', '--api-group', 'example.com'])).toThrow(/--api-group: unknown API group "example.com"/);
  });

  it('reaches lvmd-http over its socket or a URL with a token or TLS, and refuses mixtures', () => {
    expect(parseFlags(['--node-name', 'n', '--lvmd-socket', '/tmp/l.sock']).lvmdEndpoint).toBe('unix:/tmp/l.sock');
    expect(parseFlags(['--node-name', 'n', '--lvmd-url', 'http://127.0.0.1:8080', '--lvmd-token-file', 't']).lvmdEndpoint).toBe('http://127.0.0.1:8080');
    expect(parseFlags(['--node-name', 'n', '--lvmd-url', 'https://lvmd:9443/', '--lvmd-ca-file', 'ca']).lvmdEndpoint).toBe('https://lvmd:9443');
    expect(() => parseFlags(['--node-name', 'n', '--lvmd-url', 'ftp://x'])).toThrow(/--lvmd-url must be/);
    expect(() => parseFlags(['--node-name', 'n', '--lvmd-url', 'http://x:1/v1'])).toThrow(/--lvmd-url must be/);
    expect(() => parseFlags(['--node-name', 'n', '--lvmd-url', 'http://x:1', '--lvmd-socket', '/s'])).toThrow(/not both/);
    expect(() => parseFlags(['--node-name', 'n', '--lvmd-ca-file', 'ca'])).toThrow(/needs --lvmd-url https/);
    expect(() => parseFlags(['--node-name', 'n', '--lvmd-token-file', 't'])).toThrow(/needs --lvmd-url/);
    expect(() => parseFlags(['--node-name', 'n', '--lvmd-url', 'https://x:1', '--lvmd-cert-file', 'c'])).toThrow(/go together/);
  });

  it('refuses unknown flags, bad numbers and bad choices, naming the flag', () => {
    expect(() => parseFlags(['--node-name', 'n', '--bogus'])).toThrow(FlagError);
    expect(() => parseFlags(['--node-name', 'n', '--workers', '0'])).toThrow(/--workers/);
    expect(() => parseFlags(['--node-name', 'n', '--lvmd-timeout', '-1'])).toThrow(/--lvmd-timeout/);
    expect(() => parseFlags(['--node-name', 'n', '--watch-selector', 'all'])).toThrow(/--watch-selector must be label or field/);
    expect(() => parseFlags(['--node-name', 'n', '--log-level', 'loud'])).toThrow(/--log-level/);
  });

  it('needs the field selector for a node name too long for a label value', () => {
    const long = `${'a'.repeat(60)}.example.com`;
    expect(() => parseFlags(['--node-name', long])).toThrow(/use --watch-selector field/);
    expect(parseFlags(['--node-name', long, '--watch-selector', 'field']).watchSelector).toBe('field');
  });

  it('parses metrics addresses, "" meaning none', () => {
    expect(parseAddress('')).toBeUndefined();
    expect(parseAddress('127.0.0.1:0')).toEqual({ host: '127.0.0.1', port: 0 });
    expect(parseAddress(':9090')).toEqual({ host: '0.0.0.0', port: 9090 });
    expect(parseAddress('[::1]:8080')).toEqual({ host: '::1', port: 8080 });
    expect(() => parseAddress('8080')).toThrow(/HOST:PORT/);
    expect(() => parseAddress('h:70000')).toThrow(/HOST:PORT/);
  });
});
