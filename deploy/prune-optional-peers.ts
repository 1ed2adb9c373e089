/**
 * Finishes `npm prune --omit=dev` for the production image (deploy/Dockerfile, stage prod-deps).
 *
 * npm keeps a package that is both a dev dependency and an *optional peer* of a production package
 * (the lockfile flags it `devOptional`): better-auth lists vitest, drizzle-kit, react… as optional
 * peers, so `--omit=dev` leaves vitest, vite, rolldown, drizzle-kit and react in node_modules. An
 * optional peer is never needed unless something else requires it, so this walks the lockfile from
 * the workspaces along what production code can load — `dependencies`, `optionalDependencies` and
 * required peers — and deletes every installed package outside that closure.
 *
 * One required peer is dropped on purpose: `typescript`, which @qdrant/js-client-rest declares for
 * its type definitions only (nothing imports it at run time; tsx brings its own transpiler).
 *
 * Usage (from the project root, after npm prune): node --import tsx deploy/prune-optional-peers.ts
 */
import { existsSync, lstatSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, posix } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Required peers that only serve type-checking; see the comment above. */
export const TYPE_ONLY_PEERS: ReadonlySet<string> = new Set(['typescript']);

interface LockEntry {
  link?: boolean;
  resolved?: string;
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  peerDependenciesMeta?: Record<string, { optional?: boolean }>;
}
interface Lockfile {
  lockfileVersion: number;
  packages: Record<string, LockEntry>;
}

export interface PruneReport {
  /** Lockfile locations removed from disk, e.g. `node_modules/vitest`. */
  removed: string[];
  /** Dangling `.bin` links removed. */
  removedBins: string[];
}

const isInstalledLocation = (location: string) => location.startsWith('node_modules/') || location.includes('/node_modules/');

/** The folder Node searches next when `name` is not in `<location>/node_modules`. */
function parentLocation(location: string): string | undefined {
  if (location === '') return undefined;
  const nested = location.lastIndexOf('/node_modules/');
  if (nested >= 0) return location.slice(0, nested);
  if (location.startsWith('node_modules/')) return '';
  const parent = posix.dirname(location);
  return parent === '.' ? '' : parent;
}

/** Node's module resolution, played on the lockfile's locations. */
function resolveFrom(packages: Lockfile['packages'], from: string, name: string): string | undefined {
  for (let folder: string | undefined = from; folder !== undefined; folder = parentLocation(folder)) {
    const candidate = folder === '' ? `node_modules/${name}` : `${folder}/node_modules/${name}`;
    if (packages[candidate]) return candidate;
  }
  return undefined;
}

/** Every lockfile location production code can reach from the project's workspaces. */
export function productionClosure(lock: Lockfile): Set<string> {
  const { packages } = lock;
  const keep = new Set<string>(['']);
  // The workspaces are the root's production dependencies; their links live in node_modules.
  const queue = Object.keys(packages).filter((location) => packages[location]?.link === true);
  while (queue.length > 0) {
    const location = queue.pop() as string;
    if (keep.has(location)) continue;
    keep.add(location);
    const entry = packages[location];
    if (!entry) continue;
    if (entry.link === true) {
      if (entry.resolved !== undefined) queue.push(entry.resolved);
      continue;
    }
    // A workspace's own peers are the host project's business (npm treats them like dev deps).
    const isWorkspace = !isInstalledLocation(location);
    const requiredPeers = isWorkspace
      ? []
      : Object.keys(entry.peerDependencies ?? {}).filter((name) => entry.peerDependenciesMeta?.[name]?.optional !== true && !TYPE_ONLY_PEERS.has(name));
    const wanted = [...Object.keys(entry.dependencies ?? {}), ...Object.keys(entry.optionalDependencies ?? {}), ...requiredPeers];
    for (const name of wanted) {
      const target = resolveFrom(packages, location, name);
      // An optional dependency for another platform is in the lockfile but not installed: fine.
      if (target !== undefined) queue.push(target);
    }
  }
  return keep;
}

/** Removes `.bin` entries whose package is gone. */
function removeDanglingBins(projectDir: string, binDirs: string[]): string[] {
  const removed: string[] = [];
  for (const binDir of binDirs) {
    const absolute = join(projectDir, binDir);
    if (!existsSync(absolute)) continue;
    for (const name of readdirSync(absolute)) {
      const link = join(absolute, name);
      let dangling = false;
      try {
        statSync(link);
      } catch {
        dangling = lstatSync(link).isSymbolicLink();
      }
      if (dangling) {
        rmSync(link);
        removed.push(posix.join(binDir, name));
      }
    }
  }
  return removed;
}

/** Deletes installed packages outside the production closure; updates npm's hidden lockfile. */
export function pruneOptionalPeers(projectDir: string): PruneReport {
  const lock = JSON.parse(readFileSync(join(projectDir, 'package-lock.json'), 'utf8')) as Lockfile;
  if (lock.lockfileVersion < 2) throw new Error('package-lock.json must be lockfileVersion 2 or later (npm 7+)');
  const keep = productionClosure(lock);
  const doomed = Object.keys(lock.packages).filter((location) => isInstalledLocation(location) && !keep.has(location));
  const removed: string[] = [];
  for (const location of doomed) {
    // Nested copies go with their parent folder.
    if (doomed.some((other) => location.startsWith(`${other}/`))) continue;
    if (!existsSync(join(projectDir, location))) continue;
    rmSync(join(projectDir, location), { recursive: true, force: true });
    removed.push(location);
  }
  const binDirs = ['node_modules/.bin', ...Object.keys(lock.packages).filter((location) => keep.has(location) && isInstalledLocation(location)).map((location) => `${location}/node_modules/.bin`)];
  const removedBins = removeDanglingBins(projectDir, binDirs);

  // npm's hidden lockfile describes node_modules; keep it true so `npm ls` tells the truth.
  const hiddenLockfile = join(projectDir, 'node_modules', '.package-lock.json');
  if (existsSync(hiddenLockfile)) {
    const hidden = JSON.parse(readFileSync(hiddenLockfile, 'utf8')) as Lockfile;
    const gone = new Set(doomed);
    hidden.packages = Object.fromEntries(Object.entries(hidden.packages).filter(([location]) => !gone.has(location)));
    writeFileSync(hiddenLockfile, `${JSON.stringify(hidden, null, 2)}\n`);
  }
  return { removed, removedBins };
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  const report = pruneOptionalPeers(process.cwd());
  const names = report.removed.map((location) => location.replace(/^node_modules\//, ''));
  process.stdout.write(`prune-optional-peers: removed ${names.length} packages outside the production closure${names.length > 0 ? `: ${names.join(', ')}` : ''}\n`);
}
