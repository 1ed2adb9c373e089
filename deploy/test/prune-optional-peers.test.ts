/**
 * deploy/prune-optional-peers.ts on a small made-up install: it keeps what production code can
 * load and removes dev leftovers, optional peers and type-only peers, with their `.bin` links.
 * (image-build.test.ts checks the real tree.)
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { pruneOptionalPeers } from '../prune-optional-peers.js';

const packages: Record<string, object> = {
  '': { name: 'root', workspaces: ['app'], devDependencies: { tool: '1' } },
  app: { name: 'app', dependencies: { lib: '1' }, peerDependencies: { host: '1' } },
  'node_modules/app': { resolved: 'app', link: true },
  'node_modules/lib': {
    dependencies: { helper: '1' },
    optionalDependencies: { native: '1', 'native-other-platform': '1' },
    peerDependencies: { 'required-peer': '1', 'optional-peer': '1', typescript: '>=4' },
    peerDependenciesMeta: { 'optional-peer': { optional: true } },
  },
  'node_modules/lib/node_modules/helper': {},
  'node_modules/helper': { devOptional: true }, // a different version, shadowed for lib by its own copy
  'node_modules/native': { optional: true },
  'node_modules/native-other-platform': { optional: true }, // in the lockfile, not installed here
  'node_modules/required-peer': {},
  'node_modules/optional-peer': { devOptional: true, bin: { 'optional-peer': 'cli.js' } },
  'node_modules/typescript': {},
  'node_modules/host': { dev: true }, // the workspace's own peer: the host project's business
  'node_modules/tool': { dev: true, dependencies: { 'tool-dep': '1' } },
  'node_modules/tool/node_modules/tool-dep': { dev: true },
};

describe('prune-optional-peers', () => {
  let project: string | undefined;
  afterEach(() => project && rmSync(project, { recursive: true, force: true }));

  it('keeps the production closure and removes the rest, with dangling .bin links', () => {
    const dir = mkdtempSync(join(tmpdir(), 'docent-prune-'));
    project = dir;
    const lock = { lockfileVersion: 3, packages };
    writeFileSync(join(dir, 'package-lock.json'), JSON.stringify(lock));
    for (const location of Object.keys(packages)) {
      if (location === '' || location === 'node_modules/native-other-platform') continue;
      if (location === 'node_modules/app') continue;
      mkdirSync(join(dir, location), { recursive: true });
      writeFileSync(join(dir, location, 'package.json'), '{}');
    }
    symlinkSync('../app', join(dir, 'node_modules/app'));
    writeFileSync(join(dir, 'node_modules/optional-peer/cli.js'), '');
    writeFileSync(join(dir, 'node_modules/lib/cli.js'), '');
    mkdirSync(join(dir, 'node_modules/.bin'));
    symlinkSync('../optional-peer/cli.js', join(dir, 'node_modules/.bin/optional-peer'));
    symlinkSync('../lib/cli.js', join(dir, 'node_modules/.bin/lib'));
    writeFileSync(join(dir, 'node_modules/.package-lock.json'), JSON.stringify(lock));

    const report = pruneOptionalPeers(dir);

    expect(report.removed.sort()).toEqual(['node_modules/helper', 'node_modules/host', 'node_modules/optional-peer', 'node_modules/tool', 'node_modules/typescript']);
    expect(report.removedBins).toEqual(['node_modules/.bin/optional-peer']);
    for (const kept of ['app', 'node_modules/app', 'node_modules/lib', 'node_modules/lib/node_modules/helper', 'node_modules/native', 'node_modules/required-peer', 'node_modules/.bin/lib']) {
      expect(existsSync(join(dir, kept)), kept).toBe(true);
    }
    for (const removed of report.removed) expect(existsSync(join(dir, removed)), removed).toBe(false);
    const hidden = JSON.parse(readFileSync(join(dir, 'node_modules/.package-lock.json'), 'utf8')) as { packages: Record<string, unknown> };
    expect(Object.keys(hidden.packages)).not.toContain('node_modules/optional-peer');
    expect(Object.keys(hidden.packages)).not.toContain('node_modules/tool/node_modules/tool-dep');
    expect(Object.keys(hidden.packages)).toContain('node_modules/lib');
  });
});
