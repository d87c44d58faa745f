import { controllerCapabilities, nodeCapabilities, pluginCapabilities } from './capabilities';
import { CsiContract } from './contract';

const { services } = CsiContract.load();

describe('capability answers', () => {
  it('encode TopoLVM-like capabilities as the wire carries them', () => {
    const plugin = services.Identity.GetPluginCapabilities;
    const decodedPlugin = plugin.responseDeserialize(
      plugin.responseSerialize({ capabilities: pluginCapabilities({ services: ['CONTROLLER_SERVICE', 'VOLUME_ACCESSIBILITY_CONSTRAINTS'], volumeExpansion: 'ONLINE' }) }),
    );
    expect(decodedPlugin.capabilities.map((c) => c.service?.type ?? c.volume_expansion?.type)).toEqual(['CONTROLLER_SERVICE', 'VOLUME_ACCESSIBILITY_CONSTRAINTS', 'ONLINE']);

    const ctrl = services.Controller.ControllerGetCapabilities;
    const decodedCtrl = ctrl.responseDeserialize(ctrl.responseSerialize(controllerCapabilities(['CREATE_DELETE_VOLUME', 'CLONE_VOLUME', 'GET_CAPACITY'])));
    expect(decodedCtrl.capabilities.map((c) => c.rpc?.type)).toEqual(['CREATE_DELETE_VOLUME', 'CLONE_VOLUME', 'GET_CAPACITY']);

    const node = services.Node.NodeGetCapabilities;
    const decodedNode = node.responseDeserialize(node.responseSerialize(nodeCapabilities(['GET_VOLUME_STATS', 'EXPAND_VOLUME', 'VOLUME_CONDITION'])));
    expect(decodedNode.capabilities.map((c) => c.rpc?.type)).toEqual(['GET_VOLUME_STATS', 'EXPAND_VOLUME', 'VOLUME_CONDITION']);
  });

  it('leave out volume expansion when none is offered', () => {
    expect(pluginCapabilities({ services: [] })).toEqual([]);
  });
});
