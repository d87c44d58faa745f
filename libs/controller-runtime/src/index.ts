// Controller machinery over @kubernetes/client-node (see docs/controller-runtime.md for what
// each piece adds to client-node and why).
export * from './errors';
export * from './backoff';
export * from './logger';
export * from './rate-limiter';
export * from './workqueue';
export * from './controller';
export * from './resource';
export * from './informer';
export * from './wait';
export * from './update';
export * from './leader-election';
export * from './correlator';
export * from './events';
export * from './api-calls';
