/**
 * The Node.js version the README promises (package.json `engines`, ≥ 20.19) is one every installed
 * package accepts: `npm install` on it prints no EBADENGINE warning, and CI, which runs that
 * version, proves the promise. A dependency that moves to a newer Node fails here by name.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import semver from 'semver';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';

const REPO = fileURLToPath(new URL('../../', import.meta.url));
const rootManifest = z.object({ engines: z.object({ node: z.string() }) }).parse(JSON.parse(readFileSync(`${REPO}package.json`, 'utf8')));
const lockfile = z
  .object({ packages: z.record(z.string(), z.object({ version: z.string().optional(), engines: z.unknown().optional() })) })
  .parse(JSON.parse(readFileSync(`${REPO}package-lock.json`, 'utf8')));

describe('the promised Node.js version', () => {
  const oldestPromised = semver.minVersion(rootManifest.engines.node)?.version ?? '';

  it('is stated in package.json and in the README', () => {
    expect(oldestPromised).toBe('20.19.0');
    expect(readFileSync(`${REPO}README.md`, 'utf8')).toContain('Node.js ≥ 20.19');
  });

  it('is accepted by every package in the lockfile', () => {
    const refusing = Object.entries(lockfile.packages).flatMap(([path, entry]) => {
      // `engines` is an object in most manifests; a few old ones have an array of strings.
      const node = z.object({ node: z.string() }).safeParse(entry.engines).data?.node;
      return node === undefined || semver.satisfies(oldestPromised, node) ? [] : [`${path.replace(/^.*node_modules\//, '')}@${entry.version ?? '?'} wants node ${node}`];
    });
    expect(refusing).toEqual([]);
  });
});
