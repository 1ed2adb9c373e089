import { readFileSync } from 'node:fs';
import { AxeBuilder } from '@axe-core/playwright';
import { expect, test, type Locator, type Page } from '@playwright/test';
import { E2E_SITE_PORT } from '../ports.js';

/** The stand-in's answer: one fenced block per language the course uses. */
const ANSWER = readFileSync(new URL('../fixtures/code-answer.md', import.meta.url), 'utf8');
const BLOCKS = [...ANSWER.matchAll(/```(\w+)\n([\s\S]*?)\n```/g)].map(([, language, text]) => ({ language: language ?? '', text: text ?? '' }));

/** For each language, a piece of its sample that must show as each kind of token. */
const EXPECTED_TOKENS: Record<string, Partial<Record<'comment' | 'string' | 'keyword' | 'number' | 'name', string>>> = {
  python: { comment: '# radians', string: '"sent %f"', keyword: 'def', number: '0.5' },
  bash: { comment: '# Build and source the workspace', string: '"$ROS_DISTRO"', keyword: 'source' },
  xml: { comment: '<!-- The elbow -->', string: '"elbow_joint"', keyword: '<joint', name: 'name' },
  yaml: { comment: '# Hz', string: '"shoulder"', keyword: 'true', number: '100', name: 'update_rate' },
  json: { string: '"arm"', keyword: 'false', number: '2', name: '"joints"' },
  ts: { comment: '// Ask the widget from the page', string: "'What is a joint?'", keyword: 'const', number: '2' },
  cpp: { comment: '/* ticks */', string: '"counter"', keyword: 'return', number: '42u' },
};

async function askForCode(page: Page): Promise<Locator> {
  await page.context().grantPermissions(['clipboard-read', 'clipboard-write']);
  await page.goto(`http://localhost:${E2E_SITE_PORT}/course-page.html?chat=slow&code=1`);
  await page.getByRole('button', { name: 'Ask the course' }).click();
  const panel = page.getByRole('dialog');
  await panel.getByRole('textbox').fill('Show me some code');
  await panel.getByRole('textbox').press('Enter');
  await expect(panel.getByRole('status')).toHaveText('The answer is ready.');
  return panel;
}

test('code in an answer is highlighted for the course’s languages, as text, and the Copy button covers none of it', async ({ page }) => {
  const panel = await askForCode(page);
  expect(BLOCKS.map((block) => block.language)).toEqual(Object.keys(EXPECTED_TOKENS));
  for (const block of BLOCKS) {
    const code = panel.locator(`code[data-language="${block.language}"]`);
    // Highlighting adds colour, never text: what shows is the answer's code, character for character.
    expect(await code.textContent()).toBe(block.text);
    for (const [kind, text] of Object.entries(EXPECTED_TOKENS[block.language] ?? {})) {
      expect(await code.locator(`.tok-${kind}`).allTextContents(), `${block.language}: ${text} as ${kind}`).toContain(text);
    }
    const covered = await code.evaluate((element) => {
      const button = element.closest('.code')?.querySelector('.copy')?.getBoundingClientRect();
      if (!button) return 'no Copy button';
      const text = document.createRange();
      text.selectNodeContents(element);
      const under = [...text.getClientRects()].find((rect) => rect.width > 0 && rect.left < button.right && button.left < rect.right && rect.top < button.bottom && button.top < rect.bottom);
      return under ? `text at ${JSON.stringify(under)} under the button at ${JSON.stringify(button)}` : '';
    });
    expect(covered, block.language).toBe('');
  }
  // The <img onerror> in the XML sample is shown, not made.
  await expect(panel.locator('code[data-language="xml"]')).toContainText('<img src=x onerror=alert(1)>');
  expect(await panel.locator('img, [onerror]').count()).toBe(0);

  // Copy takes the code as written.
  await panel.locator('.code').first().getByRole('button', { name: 'Copy' }).click();
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(BLOCKS[0]?.text);
});

test('code colours follow the site’s light or dark theme and stay readable', async ({ page }) => {
  const panel = await askForCode(page);
  const colours = () =>
    panel.locator('code[data-language="python"]').evaluate((code) => ({
      background: getComputedStyle(code.closest('.code') ?? code).backgroundColor,
      text: getComputedStyle(code).color,
      keyword: getComputedStyle(code.querySelector('.tok-keyword') ?? code).color,
    }));
  const light = await colours();
  expect(light.background).toBe('rgb(246, 248, 250)');
  expect(light.keyword).not.toBe(light.text);
  const axe = async () => (await new AxeBuilder({ page }).include('docent-chat').analyze()).violations.filter((violation) => violation.impact === 'serious' || violation.impact === 'critical').map((violation) => violation.id);
  expect(await axe()).toEqual([]);

  await page.emulateMedia({ colorScheme: 'dark' });
  const dark = await colours();
  expect(dark.background).toBe('rgb(11, 18, 32)');
  expect(dark.keyword).not.toBe(dark.text);
  expect(dark.keyword).not.toBe(light.keyword);
  expect(await axe()).toEqual([]);
});
