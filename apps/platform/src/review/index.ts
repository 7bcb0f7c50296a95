export * from './stateful-lock';
