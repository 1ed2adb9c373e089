import { mkdirSync } from 'node:fs';
import { AxeBuilder } from '@axe-core/playwright';
import { expect, test, type Page } from '@playwright/test';
import { E2E_SITE_PORT } from '../ports.js';

const SITE = `http://localhost:${E2E_SITE_PORT}`;
const SCREENSHOTS = new URL('../screenshots/', import.meta.url).pathname;
mkdirSync(SCREENSHOTS, { recursive: true });

async function openAndAsk(page: Page, url: string, launcher: string | RegExp, question: string) {
  await page.goto(url);
  await page.getByRole('button', { name: launcher }).click();
  const input = page.getByRole('dialog').getByRole('textbox');
  await input.fill(question);
  await input.press('Enter');
  await expect(page.getByRole('dialog').locator('.assistant a.citation').first()).toBeVisible();
  return page.getByRole('dialog');
}

test('desktop: the open widget has no serious or critical accessibility violations', async ({ page }) => {
  await openAndAsk(page, `${SITE}/course-page.html`, 'Ask the course', 'What is the zero moment point?');
  const results = await new AxeBuilder({ page }).include('docent-chat').analyze();
  const serious = results.violations.filter((violation) => violation.impact === 'serious' || violation.impact === 'critical');
  expect(serious.map((violation) => `${violation.id}: ${violation.help}`)).toEqual([]);
  await page.screenshot({ path: `${SCREENSHOTS}desktop.png` });
});

test('dark mode follows the reader’s system setting and stays accessible', async ({ page }) => {
  await page.emulateMedia({ colorScheme: 'dark' });
  const panel = await openAndAsk(page, `${SITE}/course-page.html`, 'Ask the course', 'How do I describe a robot’s joints?');
  expect(await panel.evaluate((element) => getComputedStyle(element).backgroundColor)).toBe('rgb(17, 24, 39)');
  const results = await new AxeBuilder({ page }).include('docent-chat').analyze();
  expect(results.violations.filter((violation) => violation.impact === 'serious' || violation.impact === 'critical').map((violation) => violation.id)).toEqual([]);
  await page.screenshot({ path: `${SCREENSHOTS}dark.png` });
});

test('phone: the open panel takes the whole screen', async ({ page }) => {
  await page.setViewportSize({ width: 390, height: 844 });
  const panel = await openAndAsk(page, `${SITE}/course-page.html`, 'Ask the course', 'What is the capture point?');
  const box = await panel.boundingBox();
  expect(box).toEqual({ x: 0, y: 0, width: 390, height: 844 });
  await page.screenshot({ path: `${SCREENSHOTS}mobile.png` });
});

test('an Urdu page gets the widget right to left, in Urdu', async ({ page }) => {
  await page.goto(`${SITE}/urdu-page.html`);
  const launcher = page.getByRole('button', { name: 'کورس سے پوچھیں' });
  await expect(launcher).toBeVisible();
  expect(await page.locator('docent-chat').getAttribute('dir')).toBe('rtl');
  // Mirrored: the launcher sits at the inline end, which is the left on a right-to-left page.
  const launcherBox = await launcher.boundingBox();
  expect((launcherBox?.x ?? 1000) + (launcherBox?.width ?? 0) / 2).toBeLessThan((page.viewportSize()?.width ?? 0) / 2);
  await launcher.click();
  const panel = page.getByRole('dialog', { name: 'کورس اسسٹنٹ' });
  await expect(panel.getByRole('button', { name: 'نئی گفتگو' })).toBeVisible();
  expect(await panel.evaluate((element) => getComputedStyle(element).direction)).toBe('rtl');
  await page.screenshot({ path: `${SCREENSHOTS}rtl.png` });
});
