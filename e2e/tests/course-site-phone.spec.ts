import { expect, test, type Page } from '@playwright/test';
import { E2E_DOCENT_PORT } from '../ports.js';

const DOCENT = `http://localhost:${E2E_DOCENT_PORT}`;
const PHONE = { width: 390, height: 844 };

// A phone, not a narrow desktop window: with mobile emulation a page wider than the screen widens
// the layout viewport instead of scrolling, and the fixed launcher moves off-screen with it.
test.use({ viewport: PHONE, isMobile: true, hasTouch: true, deviceScaleFactor: 3 });

/** The bundled course's pages: the home page and every chapter its contents link to. */
async function coursePages(page: Page): Promise<string[]> {
  await page.goto(`${DOCENT}/`);
  const routes = await page.locator('nav.sidebar a').evaluateAll((links) => links.map((link) => new URL((link as HTMLAnchorElement).href).pathname));
  return ['/', ...new Set(routes)];
}

test('on a 390 px phone every page of the bundled course fits the screen, and its launcher is on screen and opens with a tap', async ({ page }) => {
  const routes = await coursePages(page);
  expect(routes.length).toBeGreaterThan(10);
  const problems: string[] = [];
  for (const route of routes) {
    await page.goto(`${DOCENT}${route}`);
    const { width, widest } = await page.evaluate((screenWidth) => {
      // What sticks out (and does not scroll inside a box of its own) names the culprit in the failure message.
      const scrollsInside = (element: Element) => element.parentElement?.closest('pre, table, [style*="overflow"]') !== null;
      const outside = [...document.body.querySelectorAll('*')].filter((element) => [...element.getClientRects()].some((rect) => rect.right > screenWidth + 0.5) && !scrollsInside(element));
      const innermost = outside.filter((element) => !outside.some((other) => other !== element && element.contains(other)));
      return { width: document.documentElement.scrollWidth, widest: innermost.slice(0, 2).map((element) => `<${element.tagName.toLowerCase()}> ${element.textContent?.slice(0, 40) ?? ''}`) };
    }, PHONE.width);
    if (width > PHONE.width) problems.push(`${route} is ${width} px wide: ${widest.join(', ')}`);

    const launcher = page.getByRole('button', { name: 'Ask the course' });
    const box = await launcher.boundingBox();
    const onScreen = box !== null && box.x >= 0 && box.y >= 0 && box.x + box.width <= PHONE.width && box.y + box.height <= PHONE.height;
    if (!onScreen) {
      problems.push(`${route}: the launcher is at ${JSON.stringify(box)}, outside the ${PHONE.width}×${PHONE.height} screen`);
      continue;
    }
    // Tappable: nothing of the page covers it, and a tap opens the panel.
    const hit = await page.evaluate(([x, y]) => document.elementFromPoint(x ?? 0, y ?? 0)?.tagName.toLowerCase(), [box.x + box.width / 2, box.y + box.height / 2]);
    if (hit !== 'docent-chat') problems.push(`${route}: a <${hit}> covers the launcher`);
    await launcher.tap();
    await expect(page.getByRole('dialog', { name: 'Course assistant' })).toBeVisible();
  }
  expect(problems).toEqual([]);
});
