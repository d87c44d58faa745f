import { resolve } from 'node:path';
import { socketPathOf } from './endpoint';

describe('socketPathOf', () => {
  it.each([
    ['unix:///csi/csi.sock', '/csi/csi.sock'],
    ['unix:/csi/csi.sock', '/csi/csi.sock'],
    ['/var/lib/kubelet/plugins/csi.example.com/node/csi.sock', '/var/lib/kubelet/plugins/csi.example.com/node/csi.sock'],
    ['unix:run/csi.sock', resolve('run/csi.sock')],
    ['run/csi.sock', resolve('run/csi.sock')],
  ])('%s is %s', (endpoint, path) => {
    expect(socketPathOf(endpoint)).toBe(path);
  });

  it.each([
    ['tcp://127.0.0.1:10000', 'only unix sockets are served'],
    ['dns:///controller:50051', 'only unix sockets are served'],
    ['unix://relative/csi.sock', 'write unix:///absolute/path or unix:relative/path'],
    ['unix:', 'no socket path'],
  ])('refuses %s', (endpoint, message) => {
    expect(() => socketPathOf(endpoint)).toThrow(message);
  });
});
