import { expect, test } from '@playwright/test';
import { E2E_DOCENT_PORT } from '../ports.js';

const DOCENT = `http://localhost:${E2E_DOCENT_PORT}`;
const HERO = new URL('../screenshots/hero.png', import.meta.url).pathname;

test('the README picture: the demo course site with a cited answer in the open widget', async ({ page }) => {
  await page.setViewportSize({ width: 1280, height: 800 });
  await page.goto(`${DOCENT}/docs/control/locomotion-and-balance`);
  await expect(page.getByRole('heading', { level: 1 })).toBeVisible();
  await page.getByRole('button', { name: 'Ask the course' }).click();
  const panel = page.getByRole('dialog');
  const input = panel.getByRole('textbox');
  await input.fill('What is the zero moment point, and why does it matter for walking?');
  await input.press('Enter');
  const citation = panel.locator('.assistant a.citation').first();
  await expect(citation).toHaveAttribute('href', new RegExp(`^${DOCENT}/docs/control/locomotion-and-balance#`));
  // The answer is complete (its feedback buttons appear) before the picture is taken.
  await expect(panel.getByRole('button', { name: /helpful/i }).first()).toBeVisible();
  await page.screenshot({ path: HERO });
});
