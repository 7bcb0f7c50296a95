export * from './platform-stage';
export * from './security-stack';
export * from './network-stack';
export * from './data-stack';
export * from './observability-stack';
export * from './recovery-stack';
