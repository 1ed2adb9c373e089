/**
 * The HTML around the course: a header, the course sidebar, the article, and the assistant widget.
 * Only text from the course passes through here, escaped; chapter bodies arrive already sanitized.
 */
import { readingOrder, type Chapter, type CourseSite } from './course-site.js';

/** Every page loads the assistant widget; change the tag here (one place) to point elsewhere. */
export const WIDGET_SCRIPT_TAG = '<script src="/widget/docent.js" data-server="" defer></script>';

export interface CourseIntroduction {
  title: string;
  /** One or two sentences shown on the home page under the title. */
  intro: string;
}

export interface LayoutAssets {
  /** The stylesheet's URL, versioned so browsers can cache it for long. */
  stylesheetHref: string;
}

interface PageParts {
  documentTitle: string;
  description: string | undefined;
  /** The chapter shown, highlighted in the sidebar. */
  currentRoute: string | undefined;
  /** Trusted HTML: built here or sanitized by the renderer. */
  main: string;
}

export function homePage(site: CourseSite, course: CourseIntroduction, assets: LayoutAssets): string {
  const contents = site.modules
    .map((module) => {
      const heading = module.label === undefined ? '' : `<h3>${escapeHtml(module.label)}</h3>`;
      const description = module.description === undefined ? '' : `<p>${escapeHtml(module.description)}</p>`;
      const chapters = module.chapters
        .map((chapter) => `<li><a href="${escapeHtml(encodeURI(chapter.route))}">${escapeHtml(chapter.title)}</a></li>`)
        .join('');
      return `<section class="module">${heading}${description}<ol>${chapters}</ol></section>`;
    })
    .join('\n');
  const main = `<article class="home">
<h1>${escapeHtml(course.title)}</h1>
<p class="intro">${escapeHtml(course.intro)}</p>
<h2 class="contents-heading">Contents</h2>
${contents}
</article>`;
  return layout(site, course, assets, { documentTitle: course.title, description: course.intro, currentRoute: undefined, main });
}

export function chapterPage(site: CourseSite, course: CourseIntroduction, assets: LayoutAssets, chapter: Chapter): string {
  const title = chapter.hasOwnTitleHeading ? '' : `<header><h1>${escapeHtml(chapter.title)}</h1></header>\n`;
  const main = `<article class="chapter">
${title}${chapter.html}
</article>
${pagination(site, chapter)}`;
  return layout(site, course, assets, {
    documentTitle: `${chapter.title} | ${course.title}`,
    description: chapter.description,
    currentRoute: chapter.route,
    main,
  });
}

export function notFoundPage(site: CourseSite, course: CourseIntroduction, assets: LayoutAssets, path: string): string {
  const main = `<article class="not-found">
<h1>Page not found</h1>
<p>There is no page at <code>${escapeHtml(path)}</code>. It may have moved: pick a chapter from the contents, or go to the <a href="/">course home</a>.</p>
</article>`;
  return layout(site, course, assets, { documentTitle: `Page not found | ${course.title}`, description: undefined, currentRoute: undefined, main });
}

function layout(site: CourseSite, course: CourseIntroduction, assets: LayoutAssets, page: PageParts): string {
  const description = page.description === undefined ? '' : `\n<meta name="description" content="${escapeHtml(page.description)}">`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<title>${escapeHtml(page.documentTitle)}</title>${description}
<link rel="icon" href="data:,">
<link rel="stylesheet" href="${escapeHtml(assets.stylesheetHref)}">
</head>
<body>
<a class="skip-link" href="#content">Skip to content</a>
<header class="site-header"><a class="site-title" href="/">${escapeHtml(course.title)}</a></header>
<div class="site-body">
${sidebar(site, page.currentRoute)}
<main id="content" tabindex="-1">
${page.main}
</main>
</div>
${WIDGET_SCRIPT_TAG}
</body>
</html>
`;
}

/**
 * On narrow screens the sidebar sits above the article, folded: the empty `<details>` is the
 * keyboard-operable toggle, and CSS shows the links after it only when it is open (no script).
 */
function sidebar(site: CourseSite, currentRoute: string | undefined): string {
  const groups = site.modules
    .map((module) => {
      const links = module.chapters
        .map((chapter) => {
          const current = chapter.route === currentRoute ? ' aria-current="page"' : '';
          return `<li><a href="${escapeHtml(encodeURI(chapter.route))}"${current}>${escapeHtml(chapter.title)}</a></li>`;
        })
        .join('');
      const label = module.label === undefined ? '' : `<p class="sidebar-module">${escapeHtml(module.label)}</p>`;
      return `<li>${label}<ul>${links}</ul></li>`;
    })
    .join('\n');
  return `<nav class="sidebar" aria-label="Course contents">
<details class="sidebar-toggle"><summary>Course contents</summary></details>
<ul class="sidebar-links">
${groups}
</ul>
</nav>`;
}

function pagination(site: CourseSite, chapter: Chapter): string {
  const order = readingOrder(site);
  const index = order.findIndex((candidate) => candidate.route === chapter.route);
  if (index === -1) return '';
  const link = (target: Chapter | undefined, rel: 'prev' | 'next', label: string) =>
    target === undefined
      ? ''
      : `<a class="pagination-${rel}" rel="${rel}" href="${escapeHtml(encodeURI(target.route))}"><span class="pagination-label">${label}</span>${escapeHtml(target.title)}</a>`;
  return `<nav class="pagination" aria-label="Previous and next chapters">${link(order[index - 1], 'prev', 'Previous')}${link(order[index + 1], 'next', 'Next')}</nav>`;
}

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (character) => `&#${character.charCodeAt(0)};`);
}
