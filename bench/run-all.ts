/**
 * `npm run bench`: every benchmark, one after another on an otherwise idle machine (each starts
 * its own servers in their own processes), then one table of the figures beside their references,
 * written with the machine and commit to `bench/results/latest.json`. `npm run bench -- chat http`
 * reruns only some benches and summarizes with the others' last results.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { fileURLToPath } from 'node:url';
import { rewriteReadmeSection } from './bench-support.js';
import { summarize, type SummaryRow } from './summary.js';

/** Name → script; the name is also its result file, bench/results/<name>.json. */
const BENCHES: Record<string, string> = {
  widget: 'widget-size.ts',
  http: 'http.ts',
  retrieval: 'retrieval.ts',
  chat: 'chat.ts',
  memory: 'memory.ts',
  'answer-quality': 'answer-quality.ts',
};
const resultFile = (name: string) => fileURLToPath(new URL(`./results/${name}.json`, import.meta.url));
/** bench/README.md's results section, rewritten from the same rows as the printed table. */
function writeReadmeResults(rows: readonly SummaryRow[], heading: string): void {
  const cell = (text: string) => text.replaceAll('|', '\\|');
  const table = ['| area | figure | value | reference |', '| --- | --- | --- | --- |', ...rows.map((row) => `| ${cell(row.area)} | ${cell(row.figure)} | ${cell(row.value)} | ${cell(row.reference)} |`)];
  rewriteReadmeSection('latest-results', `${heading}\n\n${table.join('\n')}`);
}

const requested = process.argv.slice(2);
const unknown = requested.filter((name) => !(name in BENCHES));
if (unknown.length > 0) {
  console.error(`Unknown bench: ${unknown.join(', ')}. Known: ${Object.keys(BENCHES).join(', ')}`);
  process.exit(2);
}
const started = performance.now();
const durations: Record<string, number> = {};
for (const [name, script] of Object.entries(BENCHES)) {
  if (requested.length > 0 && !requested.includes(name)) continue;
  console.log(`\n== bench: ${name}`);
  const benchStarted = performance.now();
  const run = spawnSync(process.execPath, ['--import', 'tsx', fileURLToPath(new URL(script, import.meta.url))], { stdio: 'inherit' });
  durations[name] = Math.round((performance.now() - benchStarted) / 1000);
  if (run.status !== 0) {
    console.error(`bench ${name} failed (exit ${run.status ?? run.signal}); no summary written`);
    process.exit(1);
  }
}

const rows = summarize(resultFile);
const commit = (() => {
  try {
    return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim();
  } catch {
    return 'unknown';
  }
})();
const latest = {
  measured_at: new Date().toISOString(),
  commit,
  machine: { cpus: cpus().length, cpu_model: cpus()[0]?.model ?? 'unknown', memory_gib: Math.round(totalmem() / 1024 ** 3), node: process.version },
  benches_run: Object.keys(durations),
  bench_seconds: durations,
  figures: rows,
};
writeFileSync(resultFile('latest'), `${JSON.stringify(latest, null, 2)}\n`);
writeReadmeResults(rows, `Measured ${latest.measured_at.slice(0, 10)} at commit ${commit} on ${latest.machine.cpus} cores (${latest.machine.cpu_model}), ${latest.machine.memory_gib} GiB, Node ${latest.machine.node}.`);

console.log(`\n== Docent benchmarks (${latest.machine.cpus} cores, Node ${latest.machine.node}, commit ${commit})`);
console.table(rows);
console.log(`Ran ${Object.keys(durations).join(', ') || 'nothing (summary of earlier results)'} in ${Math.round((performance.now() - started) / 1000)} s; wrote ${resultFile('latest')}`);
