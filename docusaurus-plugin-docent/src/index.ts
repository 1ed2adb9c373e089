import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { LoadContext, OptionValidationContext, Plugin } from '@docusaurus/types';
import * as z from 'zod';
import { buildSiteManifest, MANIFEST_FILE } from './site-manifest.js';

/**
 * Adds Docent to every page of a Docusaurus site:
 *
 *   plugins: [['docusaurus-plugin-docent', { server: 'https://docent.example.com' }]]
 *
 * The widget script is injected at the end of <body> (deferred), so it never delays the page. After a
 * build the plugin writes `docent-manifest.json` into the build folder: every doc's URL and heading
 * ids, which `npm run ingest -- --site <site dir>` reads so citations use the site's exact URLs.
 */
export const optionsSchema = z.object({
  /** Docent's base URL; the site's origin must be listed in the server's CORS_ORIGINS. */
  server: z.url({ protocol: /^https?$/, error: 'must be the Docent server URL, e.g. https://docent.example.com' }).transform((url) => url.replace(/\/+$/, '')),
  /** The script to load; defaults to the server's `/widget/docent.js`. */
  scriptUrl: z.url({ protocol: /^https?$/ }).optional(),
  theme: z.enum(['light', 'dark']).optional(),
  /** UI language; defaults to the page's `<html lang>`. */
  lang: z.string().regex(/^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$/, 'must be a language tag such as en or ur').optional(),
  /** Where selecting text offers "Ask Docent": Docusaurus's article body by default. */
  contentRoot: z.string().min(1).default('article'),
  /** The launcher's corner; by default the inline end (right, or left on right-to-left pages). */
  position: z.enum(['bottom-right', 'bottom-left']).optional(),
  /** Distance from that corner: pixels or a CSS length (`24`, `5rem`), e.g. to clear the site's own chat button. */
  offsetX: z.union([z.number().nonnegative(), z.string().regex(/^\d+(\.\d+)?(px|rem|em|vw|vh)?$/)]).optional(),
  offsetY: z.union([z.number().nonnegative(), z.string().regex(/^\d+(\.\d+)?(px|rem|em|vw|vh)?$/)]).optional(),
  zIndex: z.number().int().optional(),
  /** `false`: no launcher button; the site opens the panel from its own button with `window.Docent.open()`. */
  launcher: z.boolean().default(true),
  /** Where "Ask Docent" appears for selected text: `below` keeps it clear of a site's own tooltip above the selection. */
  selectionPlacement: z.enum(['above', 'below']).optional(),
  /** Write `docent-manifest.json` into the build folder (page URLs and heading ids for the ingest). */
  manifest: z.boolean().default(true),
  /** Pages the assistant should not answer from (templates, changelogs): globs of source paths relative to the site folder. */
  exclude: z.array(z.string().min(1)).default([]),
});
export type DocentPluginOptions = z.input<typeof optionsSchema>;
type ValidOptions = z.output<typeof optionsSchema>;

export default function docentPlugin(_context: LoadContext, options: ValidOptions): Plugin {
  const attributes: Record<string, string | boolean> = {
    src: options.scriptUrl ?? `${options.server}/widget/docent.js`,
    'data-server': options.server,
    'data-content-root': options.contentRoot,
    defer: true,
  };
  if (options.theme) attributes['data-theme'] = options.theme;
  if (options.lang) attributes['data-lang'] = options.lang;
  if (options.position) attributes['data-position'] = options.position;
  if (options.offsetX !== undefined) attributes['data-offset-x'] = String(options.offsetX);
  if (options.offsetY !== undefined) attributes['data-offset-y'] = String(options.offsetY);
  if (options.zIndex !== undefined) attributes['data-z-index'] = String(options.zIndex);
  if (!options.launcher) attributes['data-launcher'] = 'hidden';
  if (options.selectionPlacement) attributes['data-selection-placement'] = options.selectionPlacement;
  return {
    name: 'docusaurus-plugin-docent',
    injectHtmlTags: () => ({ postBodyTags: [{ tagName: 'script', attributes }] }),
    postBuild: (props) => {
      if (!options.manifest) return;
      const manifest = buildSiteManifest(props, options.exclude);
      writeFileSync(join(props.outDir, MANIFEST_FILE), `${JSON.stringify(manifest, null, 1)}\n`);
    },
  };
}

/** Docusaurus calls this before building: a wrong option stops the build with a clear message. */
export function validateOptions({ options }: OptionValidationContext<DocentPluginOptions, ValidOptions>): ValidOptions {
  const parsed = optionsSchema.safeParse(options);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((issue) => `${issue.path.join('.') || 'options'} ${issue.message}`);
  throw new Error(`docusaurus-plugin-docent: ${problems.join('; ')}`);
}
