export * from './unix-socket';
