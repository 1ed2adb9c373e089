import { expect, test } from '@playwright/test';
import { E2E_SITE_PORT } from '../ports.js';

const SITE = `http://localhost:${E2E_SITE_PORT}`;
const LIGHT_PANEL = 'rgb(255, 255, 255)';
const DARK_PANEL = 'rgb(17, 24, 39)';

test('the widget follows the site’s own theme toggle live, over the reader’s system setting', async ({ page }) => {
  // The OS says dark, the site says light (Docusaurus's default ignores the OS): the site wins.
  await page.emulateMedia({ colorScheme: 'dark' });
  await page.goto(`${SITE}/docusaurus-like-page.html`);
  await page.getByRole('button', { name: 'Ask the course' }).click();
  const panel = page.getByRole('dialog');
  const background = () => panel.evaluate((element) => getComputedStyle(element).backgroundColor);
  expect(await background()).toBe(LIGHT_PANEL);
  // Flipping the site's toggle flips the open panel, without a reload.
  await page.locator('#theme-toggle').click();
  await expect.poll(background).toBe(DARK_PANEL);
  await page.locator('#theme-toggle').click();
  await expect.poll(background).toBe(LIGHT_PANEL);
});

test('the launcher goes to the corner and distance the site asks for, clear of the site’s own chat button', async ({ page }) => {
  await page.goto(`${SITE}/docusaurus-like-page.html`);
  const launcher = await page.getByRole('button', { name: 'Ask the course' }).boundingBox();
  const siteChat = await page.locator('#site-chat').boundingBox();
  const viewport = page.viewportSize();
  expect(launcher && siteChat && viewport).toBeTruthy();
  if (!launcher || !siteChat || !viewport) return;
  expect(launcher.x).toBeCloseTo(32, 0);
  expect(viewport.height - (launcher.y + launcher.height)).toBeCloseTo(40, 0);
  const overlaps = launcher.x < siteChat.x + siteChat.width && siteChat.x < launcher.x + launcher.width;
  expect(overlaps).toBe(false);
});

test('"Ask Docent" can sit below the selection, leaving the space above it to the site’s own tooltip', async ({ page }) => {
  await page.goto(`${SITE}/docusaurus-like-page.html`);
  const paragraph = page.locator('#joint-text');
  await paragraph.selectText();
  await paragraph.dispatchEvent('mouseup');
  const selected = await paragraph.boundingBox();
  const ask = page.getByRole('button', { name: 'Ask Docent' });
  await expect(ask).toBeVisible();
  const button = await ask.boundingBox();
  expect(button?.y ?? 0).toBeGreaterThanOrEqual((selected?.y ?? 0) + (selected?.height ?? 0));
});

test('without a launcher, the page opens Docent from its own button and gets focus back on close', async ({ page }) => {
  await page.goto(`${SITE}/own-button-page.html`);
  await expect(page.locator('docent-chat')).toBeAttached();
  await expect(page.getByRole('button', { name: 'Ask the course' })).toHaveCount(0);
  await page.getByRole('button', { name: 'Need help with this page?' }).click();
  const panel = page.getByRole('dialog');
  await expect(panel.getByRole('textbox')).toBeFocused();
  await page.keyboard.press('Escape');
  await expect(panel).toHaveCount(0);
  await expect(page.getByRole('button', { name: 'Need help with this page?' })).toBeFocused();
});

test('an element with id="Docent" on the page does not stop the widget from starting', async ({ page }) => {
  await page.goto(`${SITE}/clobber-page.html`);
  await page.getByRole('button', { name: 'Ask the course' }).click();
  await expect(page.getByRole('dialog')).toBeVisible();
  // The host page API is there too, in place of the element the browser named window.Docent.
  expect(await page.evaluate(() => typeof window.Docent?.open)).toBe('function');
});
