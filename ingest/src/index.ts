export * from './chunk-document.js';
export * from './code-fence.js';
export * from './collect-chunks.js';
export * from './docusaurus-route.js';
export * from './ingest-course.js';
export * from './parse-document.js';
export * from './site-manifest.js';
export * from './table-text.js';
