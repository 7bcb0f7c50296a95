export * from './data-bucket';
export * from './mysql-database';
export * from './database-backup';
