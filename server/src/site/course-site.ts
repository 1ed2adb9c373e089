/**
 * Reads a Docusaurus docs folder into a small website: every chapter rendered to HTML at the route
 * the ingest gives it (so the assistant's citation links land on the right page and heading), and
 * the sidebar order Docusaurus would show (modules by `_category_.json` position, chapters by
 * `sidebar_position`).
 */
import { readFile } from 'node:fs/promises';
import { join, posix } from 'node:path';
import { describeDocument, DocumentParseError, listDocuments, readDocumentTree, type DocumentTree, type FileFailure } from '@docent/ingest';
import { z } from 'zod';
import { renderDocumentHtml, startsWithTitleHeading } from './render-markdown.js';

export interface Chapter {
  /** Relative to the docs folder: `ros2/urdf-robot-description.md`. */
  docPath: string;
  title: string;
  /** The page's path, exactly as the ingest writes it in citation URLs: `/docs/ros2/urdf-robot-description`. */
  route: string;
  description: string | undefined;
  /** The sanitized article body. */
  html: string;
  /** False when the document has no `# Title` of its own and the page must show the title. */
  hasOwnTitleHeading: boolean;
}

export interface CourseModule {
  /** `undefined` for documents at the top of the docs folder, which belong to no module. */
  label: string | undefined;
  description: string | undefined;
  chapters: Chapter[];
}

export interface CourseSite {
  /** In reading order; chapters marked `unlisted` are served but not listed. */
  modules: CourseModule[];
  chaptersByRoute: Map<string, Chapter>;
  /** Documents that could not be read; the rest of the site is still served. */
  failures: FileFailure[];
}

const categorySchema = z
  .object({
    label: z.string().optional(),
    position: z.number().optional(),
    link: z.object({ description: z.string().optional() }).passthrough().optional(),
  })
  .passthrough();

interface ReadDocument {
  docPath: string;
  document: DocumentTree;
  title: string;
  route: string;
  sidebarPosition: number | undefined;
  unlisted: boolean;
}

export async function loadCourseSite(docsDir: string, routeBase: string): Promise<CourseSite> {
  const failures: FileFailure[] = [];
  const documents: ReadDocument[] = [];
  for (const docPath of await listDocuments(docsDir)) {
    try {
      const document = readDocumentTree(await readFile(join(docsDir, docPath), 'utf8'), docPath);
      const { title, route, frontMatter } = describeDocument(document, docPath, { routeBase, trailingSlash: false });
      // Drafts are left out of the ingest too: no citation can point at them.
      if (frontMatter.draft === true) continue;
      documents.push({ docPath, document, title, route, sidebarPosition: frontMatter.sidebar_position, unlisted: frontMatter.unlisted === true });
    } catch (error) {
      if (error instanceof DocumentParseError) failures.push({ file: docPath, line: error.line, message: error.message });
      else failures.push({ file: docPath, line: undefined, message: `${docPath}: cannot be read: ${(error as Error).message}` });
    }
  }

  const routesByDocPath = new Map(documents.map(({ docPath, route }) => [docPath, route]));
  const chaptersByRoute = new Map<string, Chapter>();
  const chapters = new Map<string, Chapter>();
  for (const { docPath, document, title, route } of documents) {
    const description = document.frontMatter['description'];
    const chapter: Chapter = {
      docPath,
      title,
      route,
      description: typeof description === 'string' ? description : undefined,
      hasOwnTitleHeading: startsWithTitleHeading(document.tree),
      html: renderDocumentHtml({ ...document, resolveLink: (url) => resolveDocLink(url, docPath, routesByDocPath) }),
    };
    chapters.set(docPath, chapter);
    chaptersByRoute.set(route, chapter);
  }

  const listed = documents.filter((document) => !document.unlisted);
  const modules = await Promise.all(
    [...new Set(listed.map(({ docPath }) => moduleFolder(docPath)))].map(async (folder) => {
      const category = folder === '' ? undefined : await readCategory(docsDir, folder, failures);
      const members = listed.filter(({ docPath }) => moduleFolder(docPath) === folder).sort(bySidebarPosition);
      return {
        module: {
          label: folder === '' ? undefined : (category?.label ?? folder),
          description: category?.link?.description,
          chapters: members.flatMap(({ docPath }) => chapters.get(docPath) ?? []),
        },
        // Loose documents come first; modules without a position after those with one, by name.
        order: [folder === '' ? -Infinity : (category?.position ?? Infinity), folder] as const,
      };
    }),
  );
  modules.sort((a, b) => a.order[0] - b.order[0] || a.order[1].localeCompare(b.order[1]));
  return { modules: modules.map(({ module }) => module), chaptersByRoute, failures };
}

/** Every listed chapter in reading order, for previous/next links. */
export function readingOrder(site: CourseSite): Chapter[] {
  return site.modules.flatMap((module) => module.chapters);
}

/** The top-level folder a document sits in (its module), '' for a document at the top. */
function moduleFolder(docPath: string): string {
  const slash = docPath.indexOf('/');
  return slash === -1 ? '' : docPath.slice(0, slash);
}

function bySidebarPosition(a: ReadDocument, b: ReadDocument): number {
  return (a.sidebarPosition ?? Infinity) - (b.sidebarPosition ?? Infinity) || a.docPath.localeCompare(b.docPath);
}

async function readCategory(docsDir: string, folder: string, failures: FileFailure[]): Promise<z.infer<typeof categorySchema> | undefined> {
  const file = `${folder}/_category_.json`;
  let text: string;
  try {
    text = await readFile(join(docsDir, file), 'utf8');
  } catch {
    return undefined; // Optional: Docusaurus then labels the module with its folder name.
  }
  try {
    return categorySchema.parse(JSON.parse(text));
  } catch (error) {
    failures.push({ file, line: undefined, message: `${file}: is not a valid category file: ${(error as Error).message.split('\n')[0]}` });
    return undefined;
  }
}

/**
 * Docusaurus lets authors link to files (`./gazebo.md#install`); readers need the page route.
 * Links to anything else (other sites, anchors, pages) are left as written.
 */
function resolveDocLink(url: string, fromDocPath: string, routesByDocPath: ReadonlyMap<string, string>): string {
  if (/^[a-z][a-z\d+.-]*:/i.test(url) || url.startsWith('/') || url.startsWith('#')) return url;
  const hashAt = url.indexOf('#');
  const path = hashAt === -1 ? url : url.slice(0, hashAt);
  if (!/\.mdx?$/.test(path)) return url;
  let target: string;
  try {
    target = posix.normalize(posix.join(posix.dirname(fromDocPath), decodeURI(path)));
  } catch {
    return url;
  }
  const route = routesByDocPath.get(target);
  return route === undefined ? url : `${encodeURI(route)}${hashAt === -1 ? '' : url.slice(hashAt)}`;
}
