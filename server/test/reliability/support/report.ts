import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const FIGURES_DIR = fileURLToPath(new URL('../../../../node_modules/.cache/docent/reliability/', import.meta.url));

/**
 * A drill's measured figures: printed with the test's output and kept in
 * node_modules/.cache/docent/reliability/<drill>.json, where `npm run test:reliability` collects
 * them into one table at the end.
 */
export function reportFigure(drill: string, figures: Record<string, number | string | boolean>): void {
  mkdirSync(FIGURES_DIR, { recursive: true });
  writeFileSync(`${FIGURES_DIR}${drill}.json`, `${JSON.stringify({ drill, measured_at: new Date().toISOString(), ...figures }, null, 2)}\n`);
  console.log(`[reliability] ${drill}: ${JSON.stringify(figures)}`);
}
