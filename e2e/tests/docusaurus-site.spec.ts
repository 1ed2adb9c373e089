import { expect, test } from '@playwright/test';
import { E2E_DOCS_SITE_PORT } from '../ports.js';

/** The fixture Docusaurus site, built with docusaurus-plugin-docent and ingested from its manifest (e2e/docusaurus-site.ts). */
const SITE = `http://localhost:${E2E_DOCS_SITE_PORT}/textbook`;

test('a citation on a real Docusaurus site (baseUrl, version-like prefix, custom id) lands on its heading', async ({ page }) => {
  await page.goto(`${SITE}/docs/next/intro`);
  await page.getByRole('button', { name: 'Ask the course' }).click();
  const panel = page.getByRole('dialog');
  const input = panel.getByRole('textbox');
  await input.fill('What do cameras, IMUs and force sensors tell the robot?');
  await input.press('Enter');
  const citation = panel.locator('.assistant a.citation').first();
  await expect(citation).toBeVisible();
  await citation.click();
  await expect(page).toHaveURL(`${SITE}/docs/next/1.1-introduction-to-physical-ai#sensing`);
  await expect(page.getByRole('heading', { name: 'Sensors and perception' })).toBeInViewport();
  await expect(page.locator('h1')).toHaveText('Introduction to Physical AI');
});

test('the widget follows the Docusaurus theme toggle', async ({ page }) => {
  await page.goto(`${SITE}/docs/next/intro`);
  await page.getByRole('button', { name: 'Ask the course' }).click();
  const panel = page.getByRole('dialog');
  const background = () => panel.evaluate((element) => getComputedStyle(element).backgroundColor);
  expect(await background()).toBe('rgb(255, 255, 255)');
  await page.getByRole('button', { name: /Switch between dark and light mode/ }).click();
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'dark');
  await expect.poll(background).toBe('rgb(17, 24, 39)');
});
