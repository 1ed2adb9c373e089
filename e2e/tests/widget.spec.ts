import { expect, test, type Page } from '@playwright/test';
import { E2E_SITE_PORT, E2E_SLOW_CHAT_PORT } from '../ports.js';
// The widget's declaration of window.Docent, for the host-page API test.
import type {} from '../../widget/src/index.js';

const COURSE_PAGE = `http://localhost:${E2E_SITE_PORT}/course-page.html`;

async function openWidget(page: Page) {
  await page.goto(COURSE_PAGE);
  await page.getByRole('button', { name: 'Ask the course' }).click();
  return page.getByRole('dialog', { name: 'Course assistant' });
}

async function askInWidget(page: Page, question: string) {
  const input = page.getByRole('textbox', { name: /Ask a question/ });
  await input.fill(question);
  await input.press('Enter');
}

test.beforeEach(({ page }) => {
  page.on('dialog', (dialog) => {
    throw new Error(`a page dialog opened: ${dialog.message()}`);
  });
});

test('asks a question and shows a streamed answer whose citations link to the cited section', async ({ page }) => {
  const panel = await openWidget(page);
  await askInWidget(page, "How do I describe a robot's joints?");
  await expect(panel.getByRole('status')).toHaveText('The answer is ready.');
  const answer = panel.locator('.assistant').last();
  await expect(answer).toContainText('joint');
  const citation = answer.locator('a.citation').first();
  await expect(citation).toHaveAttribute('href', /\/docs\/ros2\/urdf-robot-description#describing-joints$/);
  await answer.getByText(/^Sources \(\d\)$/).click();
  await expect(answer.locator('.sources').getByRole('link', { name: /Describing joints/ })).toBeVisible();
});

test('asks about selected text: the selection is quoted as context and cited', async ({ page }) => {
  await page.goto(COURSE_PAGE);
  await page.locator('#zmp-text').selectText();
  await page.locator('#zmp-text').dispatchEvent('mouseup');
  await page.getByRole('button', { name: 'Ask Docent' }).click();
  const panel = page.getByRole('dialog', { name: 'Course assistant' });
  await expect(panel.locator('.chip')).toContainText('The Zero Moment Point is the point on the ground');
  await askInWidget(page, 'Can you explain this?');
  await expect(panel.getByRole('status')).toHaveText('The answer is ready.');
  const answer = panel.locator('.assistant').last();
  await expect(answer).toContainText('Your selection says: The Zero Moment Point is the point on the ground');
  await expect(answer.locator('a.citation', { hasText: /^1$/ }).first()).toHaveAttribute('href', /course-page\.html#the-zero-moment-point$/);
});

test('keeps the conversation across a reload', async ({ page }) => {
  const panel = await openWidget(page);
  await askInWidget(page, 'What is the capture point?');
  await expect(panel.getByRole('status')).toHaveText('The answer is ready.');
  await page.reload();
  await page.getByRole('button', { name: 'Ask the course' }).click();
  await expect(page.getByRole('dialog').locator('.user')).toHaveText('What is the capture point?');
  await expect(page.getByRole('dialog').locator('.assistant a.citation').first()).toBeVisible();
});

test('works with the keyboard alone: open, ask, close, focus back on the launcher', async ({ page }) => {
  await page.goto(COURSE_PAGE);
  const launcher = page.getByRole('button', { name: 'Ask the course' });
  await expect(launcher).toBeVisible();
  for (let presses = 0; presses < 10 && !(await launcher.evaluate((element) => element.matches(':focus'))); presses += 1) await page.keyboard.press('Tab');
  await page.keyboard.press('Enter');
  const input = page.getByRole('textbox', { name: /Ask a question/ });
  await expect(input).toBeFocused();
  await page.keyboard.type('What is a prismatic joint?');
  await page.keyboard.press('Shift+Enter');
  await page.keyboard.type('Briefly.');
  await expect(input).toHaveValue('What is a prismatic joint?\nBriefly.');
  await page.keyboard.press('Enter');
  await expect(page.getByRole('dialog').getByRole('status')).toHaveText('The answer is ready.');
  // Focus stays inside the open panel.
  for (let presses = 0; presses < 15; presses += 1) {
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.tagName.toLowerCase())).toBe('docent-chat');
  }
  await page.keyboard.press('Escape');
  await expect(page.getByRole('dialog')).toHaveCount(0);
  await expect(page.getByRole('button', { name: 'Ask the course' })).toBeFocused();
});

test('shows a user-safe error with the request ID when the server fails', async ({ page }) => {
  await page.route('**/api/v1/chat', (route) =>
    route.fulfill({
      status: 503,
      contentType: 'application/json',
      body: JSON.stringify({ error: { code: 'database_unavailable', message: 'The service is temporarily unavailable. Please try again shortly.', request_id: 'req-e2e-123' } }),
    }),
  );
  const panel = await openWidget(page);
  await askInWidget(page, 'What is a joint?');
  await expect(panel.getByRole('alert')).toHaveText('The service is temporarily unavailable. Please try again shortly. (request ID: req-e2e-123)');
  await expect(panel.getByRole('button', { name: 'Try again' })).toBeVisible();

  await page.route('**/api/v1/chat', (route) => route.abort('connectionrefused'));
  await panel.getByRole('button', { name: 'Try again' }).click();
  await expect(panel.getByRole('alert')).toContainText(/cannot be reached right now.*request ID: [0-9a-f-]{36}/);
});

test('keeps hostile content from answers and sources inert', async ({ page }) => {
  const events = [
    ['thread', { thread_id: '00000000-0000-4000-8000-000000000001', message_id: '00000000-0000-4000-8000-000000000002' }],
    [
      'sources',
      { sources: [{ id: 1, kind: 'course', title: '<img src=x onerror=alert(1)>', chapter: 'c', url: 'javascript:alert(1)', snippet: '<script>alert(1)</script>' }] },
    ],
    ['delta', { text: 'Look <script>alert(1)</script> and <img src=x onerror="alert(2)"> [click](javascript:alert(3)) [1]. Run `xacro` on two_link_arm.urdf, **carefully**.' }],
    ['done', { message_id: '00000000-0000-4000-8000-000000000002', usage: { prompt_tokens: 0, completion_tokens: 0, total_tokens: 0 }, cited: [1] }],
  ] as const;
  await page.route('**/api/v1/chat', (route) =>
    route.fulfill({ status: 200, contentType: 'text/event-stream', body: events.map(([name, data]) => `event: ${name}\ndata: ${JSON.stringify(data)}\n\n`).join('') }),
  );
  const panel = await openWidget(page);
  await askInWidget(page, 'Anything');
  const answer = panel.locator('.assistant').last();
  await expect(answer).toContainText('Look <script>alert(1)</script> and <img src=x onerror="alert(2)">');
  await answer.getByText(/^Sources/).click();
  expect(await answer.locator('script, img, [onerror]').count()).toBe(0);
  // Markdown still works where it is meant to, and names with underscores are not italicised.
  await expect(answer.locator('code', { hasText: 'xacro' })).toBeVisible();
  await expect(answer.locator('strong')).toHaveText('carefully');
  await expect(answer).toContainText('two_link_arm.urdf');
  expect(await answer.locator('em').count()).toBe(0);
  for (const href of await answer.locator('a').evaluateAll((links) => links.map((link) => link.getAttribute('href')))) expect(href ?? '').not.toMatch(/^javascript:/i);
  await answer.getByText('click').click();
  await expect(page).toHaveURL(COURSE_PAGE);
});

test('stops an answer midway, keeps what arrived, and offers to try again', async ({ page }) => {
  await page.goto(`http://localhost:${E2E_SITE_PORT}/course-page.html?chat=slow`);
  await page.getByRole('button', { name: 'Ask the course' }).click();
  const panel = page.getByRole('dialog', { name: 'Course assistant' });
  await askInWidget(page, 'Tell me everything about joints');
  const answer = panel.locator('.assistant').last();
  await expect(answer).toContainText('Piece 2 of a long answer');
  await panel.getByRole('button', { name: 'Stop' }).click();
  await expect(answer).toContainText('Stopped.');
  const kept = await answer.locator('p').first().textContent();
  // The request was really cut off (the stand-in server saw its reader leave), and nothing more arrived.
  await expect.poll(async () => ((await (await fetch(`http://localhost:${E2E_SLOW_CHAT_PORT}/stopped`)).json()) as { stopped: number }).stopped).toBeGreaterThan(0);
  expect(await answer.locator('p').first().textContent()).toBe(kept);
  await expect(panel.getByRole('button', { name: 'Try again' })).toBeVisible();
  await expect(panel.getByRole('button', { name: 'Send' })).toBeVisible();
});

test('the host page drives the widget through window.Docent and hears its events', async ({ page }) => {
  await page.goto(COURSE_PAGE);
  await page.waitForFunction(() => window.Docent !== undefined);
  const heard = await page.evaluate(async () => {
    const events: string[] = [];
    for (const name of ['docent:open', 'docent:close', 'docent:answer']) document.addEventListener(name, () => events.push(name));
    const answered = new Promise<{ text: string; sources: unknown[] }>((resolve) =>
      document.addEventListener('docent:answer', (event) => resolve((event as CustomEvent<{ text: string; sources: unknown[] }>).detail), { once: true }),
    );
    await window.Docent?.ask('What is a revolute joint?');
    const detail = await answered;
    window.Docent?.close();
    return { events, text: detail.text, sources: detail.sources.length };
  });
  expect(heard.events).toEqual(['docent:open', 'docent:answer', 'docent:close']);
  expect(heard.text).toMatch(/\[\d\]/);
  expect(heard.sources).toBeGreaterThan(0);
  await expect(page.getByRole('dialog')).toHaveCount(0);

  await page.evaluate(() => {
    window.Docent?.setContext({ selection: { text: 'A prismatic joint slides along its axis.', page_url: location.href } });
    window.Docent?.open();
  });
  await expect(page.getByRole('dialog').locator('.chip')).toContainText('A prismatic joint slides along its axis.');
  await page.getByRole('button', { name: 'Remove the selection' }).click();
  await expect(page.getByRole('dialog').locator('.chip')).toHaveCount(0);
});

test('reopens an earlier conversation from the history list', async ({ page }) => {
  const panel = await openWidget(page);
  await askInWidget(page, 'What is the support polygon?');
  await expect(panel.getByRole('status')).toHaveText('The answer is ready.');
  await panel.getByRole('button', { name: 'New conversation' }).click();
  await expect(panel.locator('.message')).toHaveCount(0);
  await askInWidget(page, 'What is footstep planning?');
  await expect(panel.locator('.user')).toHaveText('What is footstep planning?');

  await panel.getByRole('button', { name: 'Earlier conversations' }).click();
  await panel.getByRole('button', { name: 'What is the support polygon?' }).click();
  await expect(panel.locator('.user')).toHaveText('What is the support polygon?');
  await expect(panel.locator('.assistant a.citation').first()).toBeVisible();
});

test('links an answer writes are clickable only to the course and its sources’ hosts; others show their host as text', async ({ page }) => {
  await page.goto(`${COURSE_PAGE}?chat=slow&links=1`);
  await page.getByRole('button', { name: 'Ask the course' }).click();
  const panel = page.getByRole('dialog');
  await panel.getByRole('textbox').fill('Where can I read more?');
  await panel.getByRole('textbox').press('Enter');
  const answer = panel.locator('.assistant');
  await expect(answer.getByRole('link', { name: 'the joints section' })).toHaveAttribute('href', /^http:\/\/localhost:\d+\/docs\/ros2\/urdf-robot-description#describing-joints$/);
  await expect(answer.getByRole('link', { name: 'the ROS tutorials' })).toHaveAttribute('href', 'https://docs.ros.org/en/humble/Tutorials/Beginner.html');
  await expect(answer.getByRole('link', { name: /claim your prize/ })).toHaveCount(0);
  await expect(answer).toContainText('claim your prize (evil.example.net)');
});
