/**
 * `npm run doctor` — run where the server runs, with its environment: checks the effective
 * configuration and every service it depends on, one ✓/✗ line each, and exits 1 on any ✗.
 */
import { ConfigError, loadConfig } from '../config.js';
import { runDoctor } from '../ops/doctor.js';

async function run(): Promise<number> {
  let config;
  try {
    config = loadConfig();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stdout.write(`✗ configuration: ${error.message} (the server refuses to start with it)\n`);
    return 1;
  }
  process.stdout.write(`Docent doctor (${config.nodeEnv})\n`);
  const results = await runDoctor(config);
  for (const result of results) process.stdout.write(`${result.ok ? '✓' : '✗'} ${result.message}\n`);
  const failed = results.filter((result) => !result.ok).length;
  process.stdout.write(failed === 0 ? `all ${results.length} checks passed\n` : `${failed} of ${results.length} checks failed\n`);
  return failed === 0 ? 0 : 1;
}

try {
  process.exitCode = await run();
} catch (error) {
  process.stderr.write(`error: doctor failed: ${(error as Error).stack ?? String(error)}\n`);
  process.exitCode = 1;
}
