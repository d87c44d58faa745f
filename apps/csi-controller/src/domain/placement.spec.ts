import { GrpcStatus as status } from '@copse/csi-grpc';
import type { TopologyRequirement__Output } from '@copse/csi-spec';
import { CsiError } from '@copse/csi-grpc';
import { hasRequirements, nodeWithMostFree, requestedNode, requirementsAllow } from './placement';

const KEY = 'topology.example/node';
const topo = (node: string, key = KEY) => ({ segments: { [key]: node } });
const req = (preferred: string[], requisite: string[] = preferred): TopologyRequirement__Output => ({
  preferred: preferred.map((n) => topo(n)),
  requisite: requisite.map((n) => topo(n)),
});

describe('placement', () => {
  it('takes the first preferred node, else the first requisite one', () => {
    expect(requestedNode(req(['b'], ['a', 'b']), KEY)).toBe('b');
    expect(requestedNode(req([], ['c', 'a']), KEY)).toBe('c');
  });

  it('refuses requirements without the topology key', () => {
    expect(() => requestedNode({ preferred: [topo('z1', 'zone')], requisite: [] }, KEY)).toThrow(`accessibility_requirements: no topology segment carries the key ${KEY}`);
  });

  it('allows a node the requirements name anywhere, and any node without requirements', () => {
    expect(requirementsAllow(req(['b'], ['a', 'b']), KEY, 'a')).toBe(true);
    expect(requirementsAllow(req(['b']), KEY, 'a')).toBe(false);
    expect(requirementsAllow(null, KEY, 'a')).toBe(true);
    expect(requirementsAllow({ preferred: [], requisite: [] }, KEY, 'a')).toBe(true);
    expect(hasRequirements({ preferred: [], requisite: [] })).toBe(false);
  });

  it('picks the node with the most free bytes, the first by name on a tie', () => {
    expect(nodeWithMostFree([{ node: 'a', freeBytes: 5 }, { node: 'c', freeBytes: 9 }, { node: 'b', freeBytes: 9 }], 1, 'thin')).toBe('b');
  });

  it('is RESOURCE_EXHAUSTED when none has room, or none reports the class', () => {
    let err: unknown;
    try {
      nodeWithMostFree([{ node: 'a', freeBytes: 5 }], 10, 'thin');
    } catch (e) {
      err = e;
    }
    expect((err as CsiError).code).toBe(status.RESOURCE_EXHAUSTED);
    expect((err as CsiError).message).toBe('no node has 10 bytes free in device class "thin": the most is 5 bytes, on node a');
    expect(() => nodeWithMostFree([], 10, '')).toThrow('no node reports free capacity for the default device class');
  });
});
