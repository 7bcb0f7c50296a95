export * from './application-role';
export * from './encryption-key';
export * from './service-role';
