import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Reporter } from 'vitest/node';

/** Where the drills leave their figures (server/test/reliability/support/report.ts). */
const FIGURES_DIR = 'node_modules/.cache/docent/reliability';

/** Ends `npm run test:reliability` with every drill's measured figures, one block per drill. */
export default class ReliabilityReporter implements Reporter {
  onInit(): void {
    // Figures from an earlier run must not pass for this one's.
    rmSync(FIGURES_DIR, { recursive: true, force: true });
  }

  onTestRunEnd(): void {
    if (!existsSync(FIGURES_DIR)) return;
    const lines = ['', 'Reliability figures (this run):'];
    for (const file of readdirSync(FIGURES_DIR).filter((name) => name.endsWith('.json')).sort()) {
      const { drill, measured_at: _measuredAt, ...figures } = JSON.parse(readFileSync(join(FIGURES_DIR, file), 'utf8')) as Record<string, unknown>;
      lines.push(`  ${String(drill)}`);
      for (const [name, value] of Object.entries(figures)) lines.push(`    ${name.padEnd(38)} ${String(value)}`);
    }
    process.stdout.write(`${lines.join('\n')}\n`);
  }
}
