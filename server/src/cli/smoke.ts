/**
 * `npm run smoke -- <base-url> [--origin <allowed-origin>] [--rate-limit <n>] [--question <text>]`
 * Runs from anywhere against a deployed Docent: health, metrics, vector store, CORS, one real
 * cited answer, the chat rate limit. One ✓/✗ line each; exit 1 on any ✗.
 */
import { parseArgs } from 'node:util';
import { runSmoke } from '../ops/smoke.js';
import { printChecks } from './print-checks.js';

const USAGE = 'Usage: npm run smoke -- <base-url> [--origin https://course.example.com] [--rate-limit 20 (0 skips)] [--question "What is a URDF file?"]';

async function run(): Promise<number> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      origin: { type: 'string' },
      'rate-limit': { type: 'string', default: '20' },
      question: { type: 'string', default: 'What is a URDF file?' },
      help: { type: 'boolean', default: false },
    },
  });
  const baseUrl = positionals[0];
  const limit = Number(values['rate-limit']);
  if (values.help || !baseUrl || !URL.canParse(baseUrl) || !Number.isInteger(limit) || limit < 0) {
    process.stdout.write(`${USAGE}\n`);
    return values.help ? 0 : 1;
  }
  process.stdout.write(`Docent smoke test: ${baseUrl}\n`);
  const results = await runSmoke({ baseUrl, allowedOrigin: values.origin, rateLimit: limit, question: values.question });
  return printChecks(results, values.origin ? [] : ['allowed-origin preflight not tried: pass --origin <a site in CORS_ORIGINS>']);
}

try {
  process.exitCode = await run();
} catch (error) {
  process.stderr.write(`error: ${(error as Error).message}\n${USAGE}\n`);
  process.exitCode = 1;
}
