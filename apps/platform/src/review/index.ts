export * from './stateful-lock';
export * from './physical-names';
