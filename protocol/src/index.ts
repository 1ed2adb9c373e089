export * from './accounts.js';
export * from './chat.js';
export * from './errors.js';
export * from './operations.js';
export * from './request-id.js';
export * from './search.js';
