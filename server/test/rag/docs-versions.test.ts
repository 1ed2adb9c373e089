import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { ingestCourse, readBuiltSite } from '@docent/ingest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, temporaryDirectory, type TestApp } from '../helpers/app.js';
import { answerText, eventOf, postChat, readEvents } from '../helpers/chat.js';

/** The same page in two docs versions, with a fact that changed between them. */
const PAGES = {
  'versioned_docs/version-1.0/configuration.md': { permalink: '/docs/configuration', version: '1.0', latest: true, timeout: '30 seconds' },
  'docs/configuration.md': { permalink: '/docs/next/configuration', version: 'current', latest: false, timeout: '90 seconds' },
};

describe('a versioned Docusaurus site: the reader’s page picks the docs version that answers', () => {
  let test: TestApp;
  let url: string;
  const site = temporaryDirectory();
  beforeAll(async () => {
    for (const [source, page] of Object.entries(PAGES)) {
      mkdirSync(dirname(join(site.path, source)), { recursive: true });
      writeFileSync(
        join(site.path, source),
        `# Configuration\n\n## Request timeout\n\nThe gateway waits ${page.timeout} for a robot to answer before it gives up on the request.\n\n## Logging\n\nLogs go to the console in development.\n`,
      );
    }
    const docs = Object.entries(PAGES).map(([source, page]) => ({
      source,
      permalink: page.permalink,
      title: 'Configuration',
      plugin_id: 'default',
      version: page.version,
      version_is_latest: page.latest,
      unlisted: false,
      headings: [
        { depth: 2, id: 'request-timeout', text: 'Request timeout' },
        { depth: 2, id: 'logging', text: 'Logging' },
      ],
    }));
    mkdirSync(join(site.path, 'build'));
    const manifest = { format: 'docent-site-manifest', format_version: 1, site: { url: 'https://example.com', base_url: '/', trailing_slash: null, locale: 'en', default_locale: 'en' }, exclude: [], docs };
    writeFileSync(join(site.path, 'build/docent-manifest.json'), JSON.stringify(manifest));
    test = await startTestApp('pglite', { RATE_LIMIT_CHAT_PER_MINUTE: '100000' });
    await ingestCourse({ site: await readBuiltSite(site.path, 'all'), reset: false, dryRun: false }, test.app.knowledge);
    url = await test.app.listen({ port: 0, host: '127.0.0.1' });
  });
  afterAll(async () => {
    await test?.close();
    site?.remove();
  });

  async function ask(pageUrl: string | undefined) {
    const call = await postChat(url, { message: 'How long does the gateway wait for a robot before giving up?', ...(pageUrl ? { page_url: pageUrl } : {}) });
    const { events } = await readEvents(call.response);
    return { answer: answerText(events), urls: (eventOf(events, 'sources')?.data.sources ?? []).map((source) => source.url) };
  }

  it.each([
    ['https://example.com/docs/configuration', '30 seconds', '/docs/configuration#request-timeout'],
    ['https://example.com/docs/next/configuration#logging', '90 seconds', '/docs/next/configuration#request-timeout'],
  ])('on %s answers %s and cites only that version', async (pageUrl, fact, citation) => {
    const { answer, urls } = await ask(pageUrl);
    expect(answer).toContain(fact);
    expect(urls[0]).toBe(citation);
    const otherVersion = citation.startsWith('/docs/next/') ? '/docs/configuration' : '/docs/next/';
    expect(urls.filter((source) => source.startsWith(otherVersion))).toEqual([]);
  });

  it('uses every version when the reader is not on a docs page', async () => {
    const { urls } = await ask('https://example.com/blog/welcome');
    expect(urls).toEqual(expect.arrayContaining(['/docs/configuration#request-timeout', '/docs/next/configuration#request-timeout']));
  });
});
