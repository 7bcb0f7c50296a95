export * from './versions';
export * from './workspace-project';
export * from './cdk-library';
export * from './cdk-app';
export * from './nx-monorepo';
