/**
 * `npm run doctor` — run where the server runs, with its environment: checks the effective
 * configuration and every service it depends on, one ✓/✗ line each, and exits 1 on any ✗.
 */
import { ConfigError, loadConfig } from '../config.js';
import { runDoctor } from '../ops/doctor.js';
import { printChecks } from './print-checks.js';

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
  return printChecks(await runDoctor(config));
}

try {
  process.exitCode = await run();
} catch (error) {
  process.stderr.write(`error: doctor failed: ${(error as Error).stack ?? String(error)}\n`);
  process.exitCode = 1;
}
