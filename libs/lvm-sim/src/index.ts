export { SimulatedLvm, type SimulatedLvmOptions } from './simulated-lvm';
export { sequentialUuid } from './uuid';
export type { SimState, SimVg, SimLv, SimPv, SimPoolParts, Allocation, DeviceHolder } from './state';
export { parseSizeArg, displaySize, reportSize, formatPercent } from './units';
export { SimulatedDeviceMapper, type SimulatedDeviceMapperOptions } from './device-mapper/simulated-device-mapper';
export type { SimPoolDm } from './state';
