/**
 * `npm run bench:widget`: builds the widget and weighs what a course page downloads — docent.js,
 * raw and gzip -9 — against the 25 KB gzip budget. Reference: Lit alone (the one runtime
 * dependency, minified the same way), so the widget's own share is visible.
 * Writes `bench/results/widget.json`.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build } from 'vite';

const BUDGET_BYTES = 25 * 1024;
const ROOT = fileURLToPath(new URL('..', import.meta.url));
const RESULTS_FILE = fileURLToPath(new URL('./results/widget.json', import.meta.url));

execFileSync('npm', ['run', 'build:widget'], { cwd: ROOT, stdio: 'inherit' });
const script = readFileSync(new URL('../widget/dist/docent.js', import.meta.url));
const gzipBytes = gzipSync(script, { level: 9 }).length;

// Lit by itself, bundled and minified as the widget is: the floor any Lit widget starts from.
const litOnly = await build({
  configFile: false,
  logLevel: 'silent',
  build: { write: false, minify: true, lib: { entry: fileURLToPath(import.meta.resolve('lit')), formats: ['iife'], name: 'Lit' } },
});
const litOutput = (Array.isArray(litOnly) ? litOnly[0] : litOnly) as { output: { type: string; code?: string }[] };
const litCode = litOutput.output.find((chunk) => chunk.type === 'chunk')?.code ?? '';
const litBytes = Buffer.byteLength(litCode);
const litGzipBytes = gzipSync(litCode, { level: 9 }).length;

const results = {
  bench: 'widget',
  measured_at: new Date().toISOString(),
  docent_js_bytes: script.length,
  docent_js_gzip_bytes: gzipBytes,
  budget_gzip_bytes: BUDGET_BYTES,
  within_budget: gzipBytes <= BUDGET_BYTES,
  reference_lit_only_bytes: litBytes,
  reference_lit_only_gzip_bytes: litGzipBytes,
};
console.table([
  { bundle: 'docent.js (widget)', bytes: script.length, 'gzip bytes': gzipBytes, 'gzip KB': (gzipBytes / 1024).toFixed(1), budget: '25 KB' },
  { bundle: 'Lit alone (reference)', bytes: litBytes, 'gzip bytes': litGzipBytes, 'gzip KB': (litGzipBytes / 1024).toFixed(1), budget: '' },
]);
writeFileSync(RESULTS_FILE, `${JSON.stringify(results, null, 2)}\n`);
console.log(`Wrote ${RESULTS_FILE}`);
