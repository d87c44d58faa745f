export * from './command';
export * from './runner';
