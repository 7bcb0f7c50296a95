export * from './artifact-bucket';
export * from './notification-topic';
export * from './pipeline-stack';
