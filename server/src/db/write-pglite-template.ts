/**
 * The last step of `npm run build:server`: writes the empty embedded-database cluster that a
 * first start loads instead of running initdb (see pgliteTemplatePath). Does nothing when the
 * template for the installed PGlite version is there already, so only the first build pays
 * (about 3 s, and initdb's memory, in this short-lived process).
 */
import { existsSync } from 'node:fs';
import { pgliteTemplatePath } from './pglite-template-path.js';

// PGlite is loaded only when there is something to write: most builds find the template there.
const target = pgliteTemplatePath();
if (!existsSync(target)) await (await import('./pglite-memory.js')).writePgliteTemplate(target);
