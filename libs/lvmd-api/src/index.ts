export * from './errors';
export * from './schemas';
export * from './client';
export * from './watch';
export type { paths, components, operations as openApiOperations } from './generated/types';
