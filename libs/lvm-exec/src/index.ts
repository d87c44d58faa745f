export * from './runner';
export * from './errors';
export * from './lvm';
export * from './dmsetup';
