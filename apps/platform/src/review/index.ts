export * from './stateful-lock';
export * from './physical-names';
export * from './allowances';
export * from './assembly-stacks';
export * from './diff';
export * from './report';
