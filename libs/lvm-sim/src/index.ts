export { SimulatedLvm, sequentialUuid, type SimulatedLvmOptions } from './simulated-lvm';
export type { SimState, SimVg, SimLv, SimPv, SimPoolParts, Allocation } from './state';
export { parseSizeArg, displaySize, reportSize, formatPercent } from './units';
