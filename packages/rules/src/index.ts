export * from './cidr';
export * from './iam-conditions';
export * from './finding-ids';
export * from './validation-report';
