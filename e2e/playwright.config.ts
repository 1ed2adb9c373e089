import { defineConfig, devices } from '@playwright/test';
import { E2E_DOCENT_PORT, E2E_DOCS_SITE_PORT } from './ports.js';

/**
 * Browser tests in the machine's Chromium (Debian package; Playwright's own browser download is not
 * available here). The flags keep Chromium from reaching for the network at start.
 */
export default defineConfig({
  testDir: './tests',
  outputDir: '../test-results',
  timeout: 30_000,
  expect: { timeout: 10_000 },
  fullyParallel: false,
  workers: 1,
  retries: 0,
  reporter: [['list'], ['./summary-reporter.ts']],
  use: {
    browserName: 'chromium',
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    },
    ...devices['Desktop Chrome'],
    channel: undefined,
  },
  webServer: [
    {
      command: 'node --import tsx e2e/serve.ts',
      cwd: '..',
      url: `http://localhost:${E2E_DOCENT_PORT}/health`,
      timeout: 120_000,
      reuseExistingServer: false,
      stdout: 'pipe',
    },
    {
      // A real Docusaurus build with the plugin (built at start: about 30 s) and its own Docent.
      command: 'node --import tsx e2e/docusaurus-site.ts',
      cwd: '..',
      url: `http://localhost:${E2E_DOCS_SITE_PORT}/textbook/`,
      timeout: 240_000,
      reuseExistingServer: false,
      stdout: 'pipe',
    },
  ],
});
