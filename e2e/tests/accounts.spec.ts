import { AxeBuilder } from '@axe-core/playwright';
import { expect, test, type Locator, type Page } from '@playwright/test';
import type { MeResponse } from '@docent/protocol';
import type { ReceivedMail } from '../mailbox.js';
import { E2E_DOCENT_PORT, E2E_MAIL_PORT, E2E_SITE_PORT } from '../ports.js';

const COURSE_PAGE = `http://localhost:${E2E_SITE_PORT}/course-page.html`;
const DOCENT = `http://localhost:${E2E_DOCENT_PORT}`;
const PASSWORD = 'a long enough passphrase';
const REQUEST_ID = /\(request ID: [\w-]+\)$/;

/** Each test owns its account: a fresh address every time. */
function newEmail(who: string): string {
  return `${who}-${Date.now()}-${Math.random().toString(36).slice(2, 8)}@example.test`;
}

/** The mail that reached `email`, once at least `count` messages have. */
async function mailFor(email: string, count = 1): Promise<ReceivedMail[]> {
  let mail: ReceivedMail[] = [];
  await expect
    .poll(async () => {
      mail = (await (await fetch(`http://127.0.0.1:${E2E_MAIL_PORT}/mail?to=${encodeURIComponent(email)}`)).json()) as ReceivedMail[];
      return mail.length;
    })
    .toBeGreaterThanOrEqual(count);
  return mail;
}

async function openPanel(page: Page, url = COURSE_PAGE): Promise<Locator> {
  await page.goto(url);
  await page.getByRole('button', { name: 'Ask the course' }).click();
  return page.getByRole('dialog', { name: 'Course assistant' });
}

/** The header's account button: "Sign in" for a visitor, "Account" for a signed-in reader. */
const accountButton = (panel: Locator, name: 'Sign in' | 'Account') => panel.locator('header').getByRole('button', { name, exact: true });

async function ask(panel: Locator, question: string): Promise<void> {
  const input = panel.getByRole('textbox', { name: /Ask a question/ });
  await input.fill(question);
  await input.press('Enter');
  await expect(panel.getByRole('status')).toHaveText('The answer is ready.');
}

async function createAccount(panel: Locator, name: string, email: string): Promise<void> {
  await accountButton(panel, 'Sign in').click();
  await panel.getByRole('tab', { name: 'Create account' }).click();
  await panel.getByRole('textbox', { name: 'Name' }).fill(name);
  await panel.getByRole('textbox', { name: 'Email' }).fill(email);
  await panel.getByLabel('Password').fill(PASSWORD);
  await panel.getByRole('tabpanel').getByRole('button', { name: 'Create account' }).click();
  await expect(panel.getByText(`Check your inbox at ${email} to confirm your account.`)).toBeFocused();
}

async function signIn(panel: Locator, email: string, password: string): Promise<void> {
  await panel.getByRole('textbox', { name: 'Email' }).fill(email);
  await panel.getByLabel('Password').fill(password);
  await panel.getByRole('tabpanel').getByRole('button', { name: 'Sign in' }).click();
}

async function expectNoSeriousAccessibilityIssues(page: Page): Promise<void> {
  const results = await new AxeBuilder({ page }).include('docent-chat').analyze();
  const serious = results.violations.filter((violation) => violation.impact === 'serious' || violation.impact === 'critical');
  expect(serious.map((violation) => `${violation.id}: ${violation.help}`)).toEqual([]);
}

test.beforeEach(({ page }) => {
  page.on('dialog', (dialog) => {
    throw new Error(`a page dialog opened: ${dialog.message()}`);
  });
});

test('a reader who asked anonymously creates an account, confirms it by email and keeps the conversation', async ({ page }) => {
  const email = newEmail('ada');
  const panel = await openPanel(page);
  await ask(panel, 'What is the zero moment point?');

  await accountButton(panel, 'Sign in').click();
  await expect(panel.getByRole('textbox', { name: 'Email' })).toBeFocused();
  await panel.getByRole('tab', { name: 'Create account' }).click();
  await panel.getByRole('textbox', { name: 'Name' }).fill('Ada Lovelace');
  await panel.getByRole('textbox', { name: 'Email' }).fill(email);
  await panel.getByLabel('Password').fill(PASSWORD);
  await panel.getByText('Tell us about you (optional)').click();
  await panel.getByLabel('Experience with software').selectOption('intermediate');
  await panel.getByLabel('Experience with hardware and robots').selectOption('hobbyist');
  await panel.getByLabel('What do you want to learn?').fill('Make a biped walk');
  await panel.getByRole('tabpanel').getByRole('button', { name: 'Create account' }).click();
  await expect(panel.getByText(`Check your inbox at ${email} to confirm your account.`)).toBeFocused();

  const [confirmation] = await mailFor(email);
  expect(confirmation?.subject).toMatch(/confirm/i);
  await page.goto(confirmation?.links[0] ?? 'about:blank');
  // Back on the page, the widget says the reader is signed in, on its account view, and tidies the
  // marker the link's return address carried out of the address bar.
  await expect(panel.getByText('You are signed in as Ada Lovelace.')).toBeFocused();
  await expect(panel.getByRole('heading', { name: 'Signed in as Ada Lovelace' })).toBeVisible();
  await expect(page).toHaveURL(COURSE_PAGE);
  await expect(accountButton(panel, 'Account')).toHaveText('A');
  await expectNoSeriousAccessibilityIssues(page);
  await panel.getByRole('button', { name: 'Back to the conversation' }).click();
  await expect(panel.getByText('You are signed in as Ada Lovelace.')).toHaveCount(0);
  await panel.getByRole('button', { name: 'Earlier conversations' }).click();
  await panel.getByRole('button', { name: 'What is the zero moment point?' }).click();
  await expect(panel.locator('.user')).toHaveText('What is the zero moment point?');

  await accountButton(panel, 'Account').click();
  await expect(panel.getByRole('heading', { name: 'Signed in as Ada Lovelace' })).toBeVisible();
  await expect(panel.getByText(email)).toBeVisible();
  await expect(panel.getByRole('button', { name: 'Sign out' })).toBeFocused();
  const me = await page.evaluate(async (server) => (await fetch(`${server}/api/v1/me`, { credentials: 'include' })).json() as Promise<MeResponse>, DOCENT);
  expect(me.account?.profile).toEqual({ software_experience: 'intermediate', hardware_experience: 'hobbyist', learning_goal: 'Make a biped walk' });
});

test('an attacker’s confirmation link opened by someone else neither signs them in nor takes their conversation', async ({ page, browser }) => {
  // The attacker signs up in their own browser and keeps the confirmation link.
  const attackerContext = await browser.newContext();
  const email = newEmail('mallory');
  await createAccount(await openPanel(await attackerContext.newPage()), 'Mallory', email);
  const [confirmation] = await mailFor(email);
  await attackerContext.close();

  // The victim asked anonymously, then is sent to the link (a top-level navigation from another site).
  const panel = await openPanel(page);
  await ask(panel, 'What is the capture point?');
  await page.goto(confirmation?.links[0] ?? 'about:blank');
  // The widget says only what happened: an address was confirmed; nobody is signed in here.
  await expect(panel.getByText('Your email address is confirmed. Sign in to continue.')).toBeFocused();
  await expect(page).toHaveURL(COURSE_PAGE);
  await expect(accountButton(panel, 'Sign in')).toBeVisible();
  await panel.getByRole('button', { name: 'Back to the conversation' }).click();
  await panel.getByRole('button', { name: 'Earlier conversations' }).click();
  await expect(panel.getByRole('button', { name: 'What is the capture point?' })).toBeVisible();
  const me = await page.evaluate(async (server) => (await fetch(`${server}/api/v1/me`, { credentials: 'include' })).json() as Promise<MeResponse>, DOCENT);
  expect(me.account).toBeNull();
});

test('signing in on another browser shows the same conversations; signing out hides them again', async ({ page, browser }) => {
  const email = newEmail('grace');
  const question = 'How do I describe the joints of a robot?';
  const firstPanel = await openPanel(page);
  await ask(firstPanel, question);
  await createAccount(firstPanel, 'Grace Hopper', email);
  await page.goto((await mailFor(email))[0]?.links[0] ?? 'about:blank');

  const otherBrowser = await browser.newContext();
  try {
    const otherPage = await otherBrowser.newPage();
    const panel = await openPanel(otherPage);
    await accountButton(panel, 'Sign in').click();
    await signIn(panel, email, PASSWORD);
    await expect(panel.getByRole('status')).toHaveText('You are signed in as Grace Hopper.');
    await expect(panel.getByRole('textbox', { name: /Ask a question/ })).toBeFocused();
    await expect(accountButton(panel, 'Account')).toHaveText('G');

    await panel.getByRole('button', { name: 'Earlier conversations' }).click();
    await panel.getByRole('button', { name: question }).click();
    await expect(panel.locator('.user')).toHaveText(question);
    await expect(panel.locator('.assistant a.citation').first()).toBeVisible();

    await accountButton(panel, 'Account').click();
    await panel.getByRole('button', { name: 'Sign out' }).click();
    await expect(panel.getByRole('status')).toHaveText('You are signed out.');
    await expect(accountButton(panel, 'Sign in')).toBeFocused();
    // The next reader of this computer sees neither the open conversation nor the earlier ones.
    await expect(panel.locator('.message')).toHaveCount(0);
    expect(await otherPage.evaluate(() => localStorage.getItem('docent:thread'))).toBeNull();
    await panel.getByRole('button', { name: 'Earlier conversations' }).click();
    await expect(panel.getByText('No earlier conversations yet.')).toBeVisible();
    await otherPage.reload();
    await otherPage.getByRole('button', { name: 'Ask the course' }).click();
    await expect(accountButton(panel, 'Sign in')).toBeVisible();
    await expect(panel.locator('.message')).toHaveCount(0);
  } finally {
    await otherBrowser.close();
  }
});

test('a confirmation link that is no longer valid brings the reader back told so, the error taken out of the address', async ({ page }) => {
  const email = newEmail('ida');
  const panel = await openPanel(page);
  await createAccount(panel, 'Ida Rhodes', email);
  const link = new URL((await mailFor(email))[0]?.links[0] ?? 'about:blank');
  link.searchParams.set('token', 'expired-or-mangled');
  await page.goto(link.href);
  await expect(panel.getByText('That confirmation link has expired or is not valid. Sign in to get a new one.')).toBeFocused();
  await expect(page).toHaveURL(COURSE_PAGE);
});

test('signing in: an unconfirmed account gets a new link; a wrong password shows the error with its request ID', async ({ page }) => {
  const email = newEmail('alan');
  const panel = await openPanel(page);
  await createAccount(panel, 'Alan Turing', email);
  await mailFor(email, 1);
  await panel.getByRole('button', { name: 'Back to sign in' }).click();

  await signIn(panel, email, PASSWORD);
  await expect(panel.getByRole('alert')).toContainText(`Please confirm your email address first: we sent a new link to ${email}.`);
  await expect(panel.getByRole('alert')).toHaveText(REQUEST_ID);
  await mailFor(email, 2);

  const password = panel.getByLabel('Password');
  await password.fill('not the password at all');
  await panel.getByRole('tabpanel').getByRole('button', { name: 'Sign in' }).click();
  await expect(panel.getByRole('alert')).toHaveText(/^The email or password is not right\. \(request ID: [\w-]+\)$/);
  await expect(password).toHaveAttribute('aria-invalid', 'true');
  await expect(password).toHaveAccessibleDescription(/The email or password is not right/);
  await expect(accountButton(panel, 'Sign in')).toBeVisible();
});

test('forgot password: the reader is told a link is on its way, and it is', async ({ page }) => {
  const email = newEmail('hedy');
  const panel = await openPanel(page);
  await createAccount(panel, 'Hedy Lamarr', email);
  await panel.getByRole('button', { name: 'Back to sign in' }).click();
  await panel.getByRole('textbox', { name: 'Email' }).fill(email);
  await panel.getByRole('button', { name: 'Forgot password?' }).click();
  // The address typed so far comes along.
  await expect(panel.getByRole('textbox', { name: 'Email' })).toHaveValue(email);
  await expect(panel.getByRole('textbox', { name: 'Email' })).toBeFocused();
  await panel.getByRole('button', { name: 'Send the link' }).click();
  await expect(panel.getByText(`If an account exists for ${email}, we sent a link to choose a new password.`)).toBeFocused();
  const mail = await mailFor(email, 2);
  expect(mail.at(-1)?.subject).toMatch(/reset/i);
  expect(mail.at(-1)?.links[0]).toMatch(/^http:\/\/localhost:\d+\//);

  // The link's form works in a browser that holds Docent's cookies (the CSRF check once refused it:
  // a no-referrer page made Chromium post `Origin: null`).
  await page.context().addCookies([{ name: 'docent_visitor', value: 'from-an-earlier-visit', url: DOCENT }]);
  const resetPage = await page.context().newPage();
  await resetPage.goto(mail.at(-1)?.links[0] ?? '');
  await resetPage.getByLabel(/New password/).fill('a brand new passphrase');
  await resetPage.getByRole('button', { name: 'Set new password' }).click();
  await expect(resetPage.getByRole('heading', { name: 'Password changed' })).toBeVisible();
  await resetPage.close();

  // The same answer for an address without an account, so nobody can probe who has one.
  const stranger = newEmail('nobody');
  await panel.getByRole('button', { name: 'Back to sign in' }).click();
  await panel.getByRole('button', { name: 'Forgot password?' }).click();
  await panel.getByRole('textbox', { name: 'Email' }).fill(stranger);
  await panel.getByRole('textbox', { name: 'Email' }).press('Enter');
  await expect(panel.getByText(`If an account exists for ${stranger}, we sent a link to choose a new password.`)).toBeVisible();
});

test('the account view works with the keyboard alone and has no serious accessibility issues, light or dark', async ({ page }) => {
  const panel = await openPanel(page);
  await accountButton(panel, 'Sign in').focus();
  await page.keyboard.press('Enter');
  await expect(panel.getByRole('textbox', { name: 'Email' })).toBeFocused();
  await expectNoSeriousAccessibilityIssues(page);

  // Tab stays inside the panel; the arrow keys move between the two tabs.
  for (let presses = 0; presses < 12; presses += 1) {
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.tagName.toLowerCase())).toBe('docent-chat');
  }
  await panel.getByRole('tab', { name: 'Sign in' }).focus();
  await page.keyboard.press('ArrowRight');
  await expect(panel.getByRole('tab', { name: 'Create account' })).toBeFocused();
  await expect(panel.getByRole('tab', { name: 'Create account' })).toHaveAttribute('aria-selected', 'true');

  // Submitting the empty form names the first problem, next to its field, and moves focus there.
  await panel.getByText('Tell us about you (optional)').click();
  await panel.getByRole('tabpanel').getByRole('button', { name: 'Create account' }).press('Enter');
  const name = panel.getByRole('textbox', { name: 'Name' });
  await expect(panel.getByRole('alert')).toHaveText('Please enter your name.');
  await expect(name).toBeFocused();
  await expect(name).toHaveAttribute('aria-invalid', 'true');
  await expect(name).toHaveAccessibleDescription('Please enter your name.');
  await name.fill('Kit');
  await panel.getByRole('textbox', { name: 'Email' }).fill(newEmail('kit'));
  await panel.getByLabel('Password').fill('short');
  await panel.getByLabel('Password').press('Enter');
  await expect(panel.getByRole('alert')).toHaveText('The password needs 8 to 128 characters.');
  await expect(panel.getByLabel('Password')).toBeFocused();
  await expect(panel.getByLabel('Password')).toHaveAccessibleDescription('8 to 128 characters. The password needs 8 to 128 characters.');
  await expectNoSeriousAccessibilityIssues(page);

  await page.emulateMedia({ colorScheme: 'dark' });
  expect(await panel.evaluate((element) => getComputedStyle(element).backgroundColor)).toBe('rgb(17, 24, 39)');
  await expectNoSeriousAccessibilityIssues(page);

  // Back returns to the conversation, focus on the account button.
  await panel.getByRole('button', { name: 'Back to the conversation' }).focus();
  await page.keyboard.press('Enter');
  await expect(accountButton(panel, 'Sign in')).toBeFocused();
  await expect(panel.getByRole('textbox', { name: /Ask a question/ })).toBeVisible();
});

test('on an Urdu page the account view is in Urdu, right to left', async ({ page }) => {
  await page.goto(`http://localhost:${E2E_SITE_PORT}/urdu-page.html`);
  await page.getByRole('button', { name: 'کورس سے پوچھیں' }).click();
  const panel = page.getByRole('dialog', { name: 'کورس اسسٹنٹ' });
  await panel.locator('header').getByRole('button', { name: 'سائن ان کریں' }).click();
  await expect(panel.getByRole('tab', { name: 'اکاؤنٹ بنائیں' })).toBeVisible();
  await expect(panel.getByRole('textbox', { name: 'ای میل' })).toBeFocused();
  expect(await panel.getByRole('tablist').evaluate((element) => getComputedStyle(element).direction)).toBe('rtl');
  await expectNoSeriousAccessibilityIssues(page);
});
