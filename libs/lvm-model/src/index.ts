export * from './command';
export * from './names';
export * from './sizes';
export * from './attr';
export * from './report';
export * from './config';
export * from './device-mapper';
export * from './thin-pool-health';
