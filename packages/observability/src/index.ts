export * from './alarm-topic';
export * from './database-alarms';
export * from './flow-log-reject-alarm';
export * from './operations-dashboard';
export * from './stack-drift-detection';
