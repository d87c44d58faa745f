import { CURRENT_API_GROUP, DEFAULT_API_GROUP } from '@copse/k8s-crd';
import { FlagError, parseFlags } from './flags';

describe('flags', () => {
  it('defaults to TopoLVM\'s legacy group, its socket, leader election and node cleanup on', () => {
    expect(parseFlags([])).toEqual({
      apiGroup: DEFAULT_API_GROUP,
      csiSocket: '/run/topolvm/csi-topolvm.sock',
      kubeconfig: undefined,
      leaderElection: true,
      leaderElectionNamespace: undefined,
      leaderElectionId: 'copse-csi-controller',
      nodeCleanup: true,
      logLevel: 'info',
      metricsAddress: ':8080',
      leaseDurationSeconds: 15,
      renewDeadlineSeconds: 10,
      retryPeriodSeconds: 2,
      advertiseGetSnapshot: false,
    });
  });

  it('reads every flag', () => {
    const c = parseFlags([
      `--api-group=${CURRENT_API_GROUP}`,
      '--csi-socket',
      '/tmp/c.sock',
      '--kubeconfig=/k',
      '--leader-election=false',
      '--leader-election-namespace=kube-system',
      '--leader-election-id=x',
      '--node-cleanup=false',
      '--log-level=debug',
      '--metrics-address=127.0.0.1:0',
      '--lease-duration=4',
      '--renew-deadline=3',
      '--retry-period=0.5',
      '--advertise-get-snapshot=true',
    ]);
    expect(c).toMatchObject({ apiGroup: CURRENT_API_GROUP, csiSocket: '/tmp/c.sock', kubeconfig: '/k', leaderElection: false, nodeCleanup: false, metricsAddress: '127.0.0.1:0', retryPeriodSeconds: 0.5, advertiseGetSnapshot: true });
  });

  it.each([
    [['--api-group=example.com'], '--api-group: unknown API group "example.com"'],
    [['--node-cleanup=no'], '--node-cleanup must be true or false, not "no"'],
    [['--metrics-address=8080'], '--metrics-address: "8080" is not HOST:PORT'],
    [['--log-level=loud'], '--log-level must be one of'],
    [['--lease-duration=10'], '--lease-duration must be longer than --renew-deadline'],
    [['--leader-election-id=Copse'], 'is not an object name'],
    [['--bogus'], "Unknown option '--bogus'"],
  ])('refuses %j, naming the flag', (argv, message) => {
    expect(() => parseFlags(argv)).toThrow(FlagError);
    expect(() => parseFlags(argv)).toThrow(message);
  });
});
