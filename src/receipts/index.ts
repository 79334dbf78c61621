/** The receipts layer: ReceiptStore, journal, recovery, run lock, keys and backups. */
export * from './paths.js';
export * from './names.js';
export * from './atomic.js';
export * from './keys.js';
export * from './ed25519.js';
export * from './verify.js';
export * from './cache.js';
export * from './store.js';
export * from './journal-records.js';
export * from './journal.js';
export * from './journal-hooks.js';
export * from './replay.js';
export * from './session.js';
export * from './run-recorded.js';
export * from './recovery.js';
export * from './lock.js';
export * from './backups.js';
