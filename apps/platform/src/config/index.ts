export * from './schema';
export * from './load';
export * from './validate';
export * from './regions';
export * from './json-schema';
export * from './reference';
export * from './construct-rules';
export * from './names';
