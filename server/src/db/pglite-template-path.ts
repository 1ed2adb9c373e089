import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * An empty cluster made once at build time (`npm run build:server`, and so the image's build
 * stage) for this exact PGlite version: a first start that loads it peaks at about 350–390 MiB,
 * against 780–850 MiB for initdb (two throwaway WebAssembly instances for about 2 s), which a
 * 512 MB container would count. Kept outside dist/, which every compile empties.
 */
export function pgliteTemplatePath(): string {
  // From server/src/db and from server/dist/db alike: two levels up is the server package.
  return fileURLToPath(new URL(`../../pglite-template/cluster-${pgliteVersion()}.tar.gz`, import.meta.url));
}

function pgliteVersion(): string {
  let directory = dirname(createRequire(import.meta.url).resolve('@electric-sql/pglite'));
  while (!existsSync(join(directory, 'package.json')) && dirname(directory) !== directory) directory = dirname(directory);
  return (JSON.parse(readFileSync(join(directory, 'package.json'), 'utf8')) as { version: string }).version;
}
