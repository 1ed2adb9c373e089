/**
 * `npm run admin -- <command>`, run on the server machine (it talks to the database directly):
 *   create-token --name <name> [--scope admin|read]... [--expires-in-days N]   prints the token once
 *   list-tokens                                                                 never prints tokens
 *   revoke-token <id>
 * The first admin token is made here; later ones can also be made through the admin API.
 */
import { parseArgs } from 'node:util';
import { createApiTokenRequestSchema, type ApiTokenSummary } from '@docent/protocol';
import { ApiTokenStore } from '../auth/api-tokens.js';
import { ConfigError, loadConfig } from '../config.js';
import { openDatabase } from '../db/database.js';
import { DataDirLockedError } from '../db/pglite-lock.js';
import { prepareDatabase } from '../db/prepare.js';
import { createLogger } from '../observability/logger.js';

const USAGE = `Usage:
  npm run admin -- create-token --name <name> [--scope admin|read]... [--expires-in-days N]
  npm run admin -- list-tokens
  npm run admin -- revoke-token <id>`;

class UsageError extends Error {}

async function run(): Promise<number> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      name: { type: 'string' },
      scope: { type: 'string', multiple: true },
      'expires-in-days': { type: 'string' },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  const [command, ...rest] = positionals;
  if (values.help || command === undefined) {
    process.stdout.write(`${USAGE}\n`);
    return command === undefined && !values.help ? 1 : 0;
  }
  if (!['create-token', 'list-tokens', 'revoke-token'].includes(command)) throw new UsageError(`unknown command "${command}"`);

  const config = loadConfig();
  const log = createLogger(config.logLevel === 'info' ? 'warn' : config.logLevel, { write: (line: string) => process.stderr.write(line) });
  const database = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, log });
  try {
    (await prepareDatabase(database, log)).stop();
    const tokens = new ApiTokenStore(database.db);
    if (command === 'create-token') {
      const request = createApiTokenRequestSchema.safeParse({
        name: values.name,
        scopes: values.scope ?? ['admin'],
        expires_in_days: values['expires-in-days'] === undefined ? undefined : Number(values['expires-in-days']),
      });
      if (!request.success) {
        const issue = request.error.issues[0];
        throw new UsageError(`--${String(issue?.path[0] ?? 'name').replace('scopes', 'scope').replaceAll('_', '-')}: ${issue?.message ?? 'is invalid'}`);
      }
      const created = await tokens.create({ name: request.data.name, scopes: request.data.scopes, expiresInDays: request.data.expires_in_days });
      if (values.json) process.stdout.write(`${JSON.stringify(created)}\n`);
      else {
        process.stdout.write(`${created.token}\n`);
        process.stderr.write(`Created API token "${created.name}" (${created.scopes.join(', ')}), id ${created.id}. This is the only time it is shown: store it now.\n`);
      }
    } else if (command === 'list-tokens') {
      const list = await tokens.list();
      process.stdout.write(values.json ? `${JSON.stringify({ tokens: list })}\n` : `${list.map(describe).join('\n') || 'no API tokens'}\n`);
    } else {
      const id = rest[0];
      if (id === undefined || !/^[0-9a-f-]{36}$/i.test(id)) throw new UsageError('revoke-token needs the token id (from list-tokens)');
      if (!(await tokens.revoke(id))) throw new UsageError(`no active API token has id ${id}`);
      process.stdout.write(`revoked ${id}\n`);
    }
    return 0;
  } finally {
    await database.close();
  }
}

function describe(token: ApiTokenSummary): string {
  const state = token.revoked_at ? `revoked ${token.revoked_at}` : token.expires_at && Date.parse(token.expires_at) <= Date.now() ? `expired ${token.expires_at}` : 'active';
  return `${token.id}  ${token.prefix}…  ${token.name}  [${token.scopes.join(',')}]  ${state}  last used ${token.last_used_at ?? 'never'}`;
}

try {
  process.exitCode = await run();
} catch (error) {
  const known = [ConfigError, DataDirLockedError, UsageError].some((type) => error instanceof type);
  process.stderr.write(known ? `error: ${(error as Error).message}\n` : `error: ${(error as Error).stack ?? String(error)}\n`);
  if (error instanceof UsageError) process.stderr.write(`${USAGE}\n`);
  if (error instanceof DataDirLockedError) process.stderr.write('With the embedded database, stop the server first, or create tokens through the admin API.\n');
  process.exitCode = 1;
}
