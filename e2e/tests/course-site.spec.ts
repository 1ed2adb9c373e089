import { expect, test } from '@playwright/test';
import { E2E_DOCENT_PORT, E2E_SITE_PORT } from '../ports.js';

const DOCENT = `http://localhost:${E2E_DOCENT_PORT}`;

test.beforeEach(({ page }) => {
  page.on('dialog', (dialog) => {
    throw new Error(`a page dialog opened: ${dialog.message()}`);
  });
});

test('the demo site: ask on a chapter page, follow a citation, land on the cited heading', async ({ page }) => {
  await page.goto(`${DOCENT}/`);
  await page.getByRole('link', { name: /Describing a Robot with URDF/ }).first().click();
  await expect(page).toHaveURL(`${DOCENT}/docs/ros2/urdf-robot-description`);
  await page.getByRole('button', { name: 'Ask the course' }).click();
  const input = page.getByRole('dialog').getByRole('textbox');
  await input.fill('How do I describe the joints of a robot?');
  await input.press('Enter');
  const citation = page.getByRole('dialog').locator('a.citation').first();
  await expect(citation).toHaveAttribute('href', `${DOCENT}/docs/ros2/urdf-robot-description#describing-joints`);
  await citation.click();
  await expect(page).toHaveURL(`${DOCENT}/docs/ros2/urdf-robot-description#describing-joints`);
  await expect(page.locator('h2#describing-joints')).toBeInViewport();
});

test('hostile text selected on a page is quoted as text, never run', async ({ page }) => {
  await page.goto(`http://localhost:${E2E_SITE_PORT}/course-page.html`);
  await page.locator('#hostile-text').selectText();
  await page.locator('#hostile-text').dispatchEvent('mouseup');
  await page.getByRole('button', { name: 'Ask Docent' }).click();
  const panel = page.getByRole('dialog', { name: 'Course assistant' });
  await expect(panel.locator('.chip')).toContainText('<img src=x onerror=alert(1)>');
  const input = panel.getByRole('textbox');
  await input.fill('What does this mean?');
  await input.press('Enter');
  const answer = panel.locator('.assistant').last();
  await expect(answer).toContainText('Your selection says: Beware <img src=x onerror=alert(1)> and <script>alert(2)</script>');
  expect(await panel.locator('img, script, [onerror]').count()).toBe(0);
});
