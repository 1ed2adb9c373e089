import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { loadWidgetBundle, widgetScriptPath } from '../../server/src/http/widget-routes.js';
import { startTestApp } from '../../server/test/helpers/app.js';

/** `npm test` builds the widget (npm run build:widget) before this suite runs. */
const SIZE_BUDGET_BYTES = 25 * 1024;
const script = readFileSync(new URL('../dist/docent.js', import.meta.url));

describe('the built widget', () => {
  it(`fits the ${SIZE_BUDGET_BYTES / 1024} KB gzip budget`, () => {
    const gzipped = gzipSync(script, { level: 9 }).length;
    console.log(`widget: docent.js ${script.length} bytes, ${gzipped} bytes gzip (budget ${SIZE_BUDGET_BYTES})`);
    expect(gzipped).toBeLessThanOrEqual(SIZE_BUDGET_BYTES);
  });

  it('contains no address to call: no tracking, no third-party requests', () => {
    expect(script.toString('utf8').match(/https?:\/\/[\w.-]+/g) ?? []).toEqual([]);
  });
});

describe('serving the widget', () => {
  it('serves the script for embedding anywhere, revalidated often, and an immutable content-hashed copy', async () => {
    const test = await startTestApp('pglite');
    try {
      const latest = await test.app.inject({ url: '/widget/docent.js' });
      expect(latest.statusCode).toBe(200);
      expect(latest.headers['content-type']).toMatch(/^text\/javascript/);
      expect(latest.headers['cache-control']).toBe('public, max-age=300, must-revalidate');
      expect(latest.headers['cross-origin-resource-policy']).toBe('cross-origin');
      expect(latest.rawPayload.equals(script)).toBe(true);

      const revalidated = await test.app.inject({ url: '/widget/docent.js', headers: { 'if-none-match': String(latest.headers.etag) } });
      expect(revalidated.statusCode).toBe(304);

      const hashedPath = widgetScriptPath(loadWidgetBundle());
      expect(hashedPath).toMatch(/^\/widget\/docent\.[0-9a-f]{12}\.js$/);
      const hashed = await test.app.inject({ url: hashedPath });
      expect(hashed.statusCode).toBe(200);
      expect(hashed.headers['cache-control']).toBe('public, max-age=31536000, immutable');
      expect((await test.app.inject({ url: '/widget/docent.000000000000.js' })).statusCode).toBe(404);
      expect((await test.app.inject({ url: '/widget/docent.mjs' })).statusCode).toBe(200);
    } finally {
      await test.close();
    }
  });
});
