export * from './errors';
export * from './commands';
export * from './host';
