export * from './batcher';
export * from './codec';
export * from './emitter';
export * from './errors';
export * from './options';
export * from './ring';
export * from './state';
export * from './topics';
