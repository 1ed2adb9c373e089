import { expect, test, type Locator } from '@playwright/test';
import { E2E_DOCENT_PORT, E2E_SITE_PORT } from '../ports.js';

const DOCENT = `http://localhost:${E2E_DOCENT_PORT}`;
const SITE = `http://localhost:${E2E_SITE_PORT}`;
const WHAT_IT_DOES = 'Ask anything about the course, or select a passage on the page and choose “Ask Docent”. Answers link to the sections they come from, and your conversations are kept.';

const suggestions = (panel: Locator) => panel.getByRole('list', { name: 'Suggested questions' }).getByRole('button');

test.beforeEach(({ page }) => {
  page.on('dialog', (dialog) => {
    throw new Error(`a page dialog opened: ${dialog.message()}`);
  });
});

test('on a course chapter the empty panel says what it can do and suggests questions from the chapter’s headings; one click asks', async ({ page }) => {
  await page.goto(`${DOCENT}/docs/ros2/urdf-robot-description`);
  await page.getByRole('button', { name: 'Ask the course' }).click();
  const panel = page.getByRole('dialog', { name: 'Course assistant' });
  await expect(panel.getByText(WHAT_IT_DOES)).toBeVisible();
  await expect(suggestions(panel)).toHaveText([
    'Tell me about what a robot description is for',
    'What are links and their visual, collision and inertial elements?',
    'Tell me about describing joints',
  ]);
  await suggestions(panel).nth(2).click();
  await expect(panel.locator('.user')).toHaveText('Tell me about describing joints');
  await expect(panel.getByRole('status')).toHaveText('The answer is ready.');
  await expect(panel.locator('.assistant a.citation').first()).toHaveAttribute('href', /\/docs\/ros2\/urdf-robot-description#describing-joints$/);
  await expect(suggestions(panel)).toHaveCount(0);
});

test('on any site the suggestions skip headings every chapter has, navigation and asides; a page without headings gets just the one line', async ({ page }) => {
  await page.goto(`${SITE}/study-page.html`);
  await page.getByRole('button', { name: 'Ask the course' }).click();
  const panel = page.getByRole('dialog', { name: 'Course assistant' });
  await expect(suggestions(panel)).toHaveText(['What is the Kalman filter?', 'Tell me about tuning the process noise', 'Why fuse sensors at all?']);

  await page.goto(`${SITE}/own-button-page.html`);
  await page.getByRole('button', { name: 'Need help with this page?' }).click();
  await expect(panel.getByText(WHAT_IT_DOES)).toBeVisible();
  await expect(panel.getByRole('list', { name: 'Suggested questions' })).toHaveCount(0);
});
