export * from './data-bucket';
export * from './mysql-database';
