/**
 * The only module that reads `process.env`. Everything configurable is parsed and validated here,
 * once, at startup; the rest of the server receives a typed `Config` and never looks at the
 * environment. A bad value stops the server with one line naming the variable.
 */
import { resolve } from 'node:path';
import { z } from 'zod';
import { ConfigError } from './config-error.js';
import { devSecret, requireProductionSecret, type SecretKeySource } from './secret-key.js';

export { ConfigError } from './config-error.js';
export { DEFAULT_DEV_SECRET, secretWeakness } from './secret-key.js';

/** The default per-address ceilings on chat and search, as a multiple of the per-reader limits. */
const PER_ADDRESS_MULTIPLE = 3;
const DEV_CORS_ORIGINS = ['http://localhost:3000', 'http://127.0.0.1:3000', 'http://localhost:8000', 'http://127.0.0.1:8000'];


const optionalString = z
  .string()
  .optional()
  .transform((value) => (value === undefined || value.trim() === '' ? undefined : value.trim()));

const booleanFlag = z
  .string()
  .optional()
  .transform((value, ctx) => {
    const normalised = value?.trim().toLowerCase() ?? '';
    if (['', 'false', '0', 'no', 'off'].includes(normalised)) return false;
    if (['true', '1', 'yes', 'on'].includes(normalised)) return true;
    ctx.addIssue({ code: 'custom', message: 'must be true or false' });
    return z.NEVER;
  });

function urlWithScheme(schemes: string[]) {
  return optionalString.refine(
    (value) => value === undefined || (URL.canParse(value) && schemes.includes(new URL(value).protocol)),
    { message: `must be a URL starting with ${schemes.map((s) => `${s}//`).join(' or ')}` },
  );
}

const envSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  PORT: z.coerce.number().int().min(0).max(65535).default(8000),
  HOST: optionalString,
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  DATA_DIR: z.string().default('./data'),
  DATABASE_URL: urlWithScheme(['postgres:', 'postgresql:']),
  REDIS_URL: urlWithScheme(['redis:', 'rediss:']),
  QDRANT_URL: urlWithScheme(['http:', 'https:']),
  QDRANT_API_KEY: optionalString,
  QDRANT_COLLECTION: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,255}$/, 'must be letters, digits, _ or -')
    .default('physical_ai_course'),
  SECRET_KEY: optionalString,
  INTEGRATION_TEST_MODE: booleanFlag,
  CORS_ORIGINS: optionalString,
  EMBEDDING_BASE_URL: urlWithScheme(['http:', 'https:']),
  EMBEDDING_API_KEY: optionalString,
  EMBEDDING_MODEL: optionalString,
  EMBEDDING_DIMENSIONS: z.coerce.number().int().min(1).max(8192).optional(),
  LLM_BASE_URL: urlWithScheme(['http:', 'https:']),
  LLM_API_KEY: optionalString,
  LLM_MODEL: optionalString,
  LLM_TIMEOUT_SECONDS: z.coerce.number().min(1).max(600).default(30),
  CHAT_HEARTBEAT_SECONDS: z.coerce.number().min(0.05).max(300).default(15),
  REQUEST_TIMEOUT_SECONDS: z.coerce.number().min(1).max(600).default(30),
  MAX_CONNECTIONS_PER_ADDRESS: z.coerce.number().int().min(0).max(100_000).default(256),
  CHAT_MIN_DENSE_SCORE: z.coerce.number().min(-1).max(1).optional(),
  CHATKIT_PATH: z
    .string()
    .regex(/^\/[A-Za-z0-9._~/-]*$/, 'must be a path starting with / (letters, digits, . _ ~ - and /), e.g. /chatkit')
    .default('/chatkit'),
  RATE_LIMIT_CHAT_PER_MINUTE: z.coerce.number().int().min(1).max(1_000_000).default(20),
  RATE_LIMIT_AUTH_PER_MINUTE: z.coerce.number().int().min(1).max(1_000_000).default(10),
  RATE_LIMIT_SEARCH_PER_MINUTE: z.coerce.number().int().min(1).max(1_000_000).default(60),
  /** Unset → three times the per-reader limit. */
  RATE_LIMIT_CHAT_PER_ADDRESS_PER_MINUTE: z.coerce.number().int().min(1).max(1_000_000).optional(),
  RATE_LIMIT_SEARCH_PER_ADDRESS_PER_MINUTE: z.coerce.number().int().min(1).max(1_000_000).optional(),
  DAILY_TOKEN_BUDGET: z.coerce.number().int().min(1).optional(),
  PUBLIC_URL: urlWithScheme(['http:', 'https:']),
  /** Set by Railway for a service with a public domain; a fallback for PUBLIC_URL. */
  RAILWAY_PUBLIC_DOMAIN: optionalString,
  SMTP_URL: urlWithScheme(['smtp:', 'smtps:']),
  MAIL_FROM: z.string().trim().min(3).default('Docent <no-reply@localhost>'),
  REQUIRE_EMAIL_VERIFICATION: booleanFlag.default(true),
  PRIVATE_OPERATOR_PAGES: booleanFlag.default(false),
  /** What the admin API re-ingests (default: the bundled sample course). */
  COURSE_DOCS_DIR: optionalString,
  COURSE_ROUTE_BASE: z.string().regex(/^\/[A-Za-z0-9/_-]*$/, 'must be a URL path like /docs').default('/docs'),
  TRUST_PROXY: z
    .string()
    .regex(/^(true|false|\d{1,2})$/, 'must be true, false, or the number of proxies in front of Docent (e.g. 1 on Railway)')
    .optional(),
});

/** Every variable Docent reads (for docs, the example env file and `npm run doctor`). */
export const ENVIRONMENT_VARIABLES = Object.keys(envSchema.shape) as (keyof typeof envSchema.shape)[];

export type NodeEnv = z.infer<typeof envSchema>['NODE_ENV'];
export type LogLevel = z.infer<typeof envSchema>['LOG_LEVEL'];

export interface Config {
  nodeEnv: NodeEnv;
  isProduction: boolean;
  host: string;
  port: number;
  logLevel: LogLevel;
  /** Absolute path; holds the embedded database and the generated development secret. */
  dataDir: string;
  /** Unset → the embedded PGlite database in `dataDir`. */
  databaseUrl: string | undefined;
  redisUrl: string | undefined;
  qdrant: { url: string | undefined; apiKey: string | undefined; collection: string };
  secretKey: string;
  /** Where the secret came from; `generated`/`data-dir` only ever happen outside production. */
  secretKeySource: SecretKeySource;
  integrationTestMode: boolean;
  corsOrigins: string[];
  /** Unset → the bundled offline model. */
  embedding: { baseUrl: string; apiKey: string | undefined; model: string; dimensions: number | undefined } | undefined;
  /** Unset → extractive answers (quoted, cited course sentences). */
  llm: { baseUrl: string; apiKey: string; model: string; timeoutMs: number } | undefined;
  /**
   * Requests per minute per reader on the chat and search routes, per address on sign-in/sign-up/reset,
   * and per address for all signed-in readers together on chat and search.
   */
  rateLimit: { chatPerMinute: number; authPerMinute: number; searchPerMinute: number; chatPerAddressPerMinute: number; searchPerAddressPerMinute: number };
  /** LLM tokens one reader may use per UTC day; unset → no budget. */
  dailyTokenBudget: number | undefined;
  accounts: {
    /** Where readers reach this server; links in emails point here. */
    publicUrl: string;
    /** Readers confirm their email before they can sign in. */
    requireEmailVerification: boolean;
  };
  /** The Docusaurus docs folder the admin API re-ingests; unset → the bundled course. */
  course: { docsDir: string | undefined; routeBase: string };
  /** Unset → emails are not sent; outside production their links are logged instead. */
  mail: { smtpUrl: string; from: string } | undefined;
  /**
   * Whether to believe X-Forwarded-For: `false` (direct), `true` (any proxy), or how many proxies
   * sit in front. Behind a proxy, rate limits need it to see readers rather than the proxy.
   */
  trustProxy: boolean | number;
  /** How long a client may take to send a whole request (headers and body); answers may stream longer. */
  requestTimeoutMs: number;
  /** Open connections one address may hold (0: no cap); not applied behind a proxy (TRUST_PROXY). */
  maxConnectionsPerAddress: number;
  /** `/metrics`, `/metrics/prometheus` and `/api/docs` only with a `read` API token. */
  privateOperatorPages: boolean;
  chat: {
    /** SSE comment interval, so proxies do not close a quiet stream. */
    heartbeatMs: number;
    /** Overrides the calibrated "the course covers this" similarity floor (see rag/retrieval/relevance.ts). */
    minDenseScore: number | undefined;
  };
  /** Docent as a ChatKit server: the path ChatKit's `api.url` points at. */
  chatKit: { path: string };
}

/** Parses and validates the environment. Throws `ConfigError` naming the first bad variable. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  // An empty value means unset (a blank line in an env file must not switch verification off or pick port 0).
  const given = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined && value.trim() !== ''));
  const parsed = envSchema.safeParse(given);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ConfigError(String(issue?.path[0] ?? 'environment'), issue?.message ?? 'is invalid');
  }
  const vars = parsed.data;
  const isProduction = vars.NODE_ENV === 'production';
  const dataDir = resolve(vars.DATA_DIR);

  if (isProduction && vars.INTEGRATION_TEST_MODE) {
    throw new ConfigError('INTEGRATION_TEST_MODE', 'must not be true in production (it disables safety checks meant only for tests)');
  }
  const corsOrigins = parseCorsOrigins(vars.CORS_ORIGINS, isProduction);
  const secret = isProduction ? requireProductionSecret(vars.SECRET_KEY) : devSecret(vars.SECRET_KEY, dataDir);
  if (vars.EMBEDDING_BASE_URL !== undefined && vars.EMBEDDING_MODEL === undefined) {
    throw new ConfigError('EMBEDDING_MODEL', 'must be set when EMBEDDING_BASE_URL is (e.g. sentence-transformers/all-MiniLM-L6-v2)');
  }

  const llmVars = [vars.LLM_BASE_URL, vars.LLM_API_KEY, vars.LLM_MODEL];
  if (llmVars.some((value) => value !== undefined) && llmVars.some((value) => value === undefined)) {
    const missing = (['LLM_BASE_URL', 'LLM_API_KEY', 'LLM_MODEL'] as const).find((_, index) => llmVars[index] === undefined) ?? 'LLM_MODEL';
    throw new ConfigError(missing, 'must be set too: LLM_BASE_URL, LLM_API_KEY and LLM_MODEL go together (leave all three unset for extractive answers)');
  }

  const publicUrl = vars.PUBLIC_URL ?? (vars.RAILWAY_PUBLIC_DOMAIN === undefined ? undefined : `https://${vars.RAILWAY_PUBLIC_DOMAIN}`);
  if (isProduction && publicUrl === undefined) {
    throw new ConfigError('PUBLIC_URL', 'must be set in production: the https:// address readers reach Docent at (links in emails point there)');
  }
  if (isProduction && publicUrl !== undefined && !publicUrl.startsWith('https://') && !isLocalAddress(publicUrl)) {
    throw new ConfigError('PUBLIC_URL', 'must be an https:// address in production (or localhost): sign-in and reset links in emails point there');
  }
  if (isProduction && vars.REQUIRE_EMAIL_VERIFICATION && vars.SMTP_URL === undefined) {
    throw new ConfigError('SMTP_URL', 'must be set in production while REQUIRE_EMAIL_VERIFICATION is true: readers could not confirm their accounts (e.g. smtps://user:password@smtp.example.com:465)');
  }

  return {
    nodeEnv: vars.NODE_ENV,
    isProduction,
    host: vars.HOST ?? (isProduction ? '0.0.0.0' : '127.0.0.1'),
    port: vars.PORT,
    logLevel: vars.LOG_LEVEL,
    dataDir,
    databaseUrl: vars.DATABASE_URL,
    redisUrl: vars.REDIS_URL,
    qdrant: { url: vars.QDRANT_URL, apiKey: vars.QDRANT_API_KEY, collection: vars.QDRANT_COLLECTION },
    secretKey: secret.key,
    secretKeySource: secret.source,
    integrationTestMode: vars.INTEGRATION_TEST_MODE,
    corsOrigins,
    embedding:
      vars.EMBEDDING_BASE_URL === undefined
        ? undefined
        : { baseUrl: vars.EMBEDDING_BASE_URL, apiKey: vars.EMBEDDING_API_KEY, model: vars.EMBEDDING_MODEL ?? '', dimensions: vars.EMBEDDING_DIMENSIONS },
    llm:
      vars.LLM_BASE_URL === undefined || vars.LLM_API_KEY === undefined || vars.LLM_MODEL === undefined
        ? undefined
        : { baseUrl: vars.LLM_BASE_URL, apiKey: vars.LLM_API_KEY, model: vars.LLM_MODEL, timeoutMs: vars.LLM_TIMEOUT_SECONDS * 1000 },
    chat: { heartbeatMs: vars.CHAT_HEARTBEAT_SECONDS * 1000, minDenseScore: vars.CHAT_MIN_DENSE_SCORE },
    chatKit: { path: vars.CHATKIT_PATH },
    rateLimit: {
      chatPerMinute: vars.RATE_LIMIT_CHAT_PER_MINUTE,
      authPerMinute: vars.RATE_LIMIT_AUTH_PER_MINUTE,
      searchPerMinute: vars.RATE_LIMIT_SEARCH_PER_MINUTE,
      // Room for a household or a few classmates behind one address; one person's extra accounts stop adding up.
      chatPerAddressPerMinute: vars.RATE_LIMIT_CHAT_PER_ADDRESS_PER_MINUTE ?? PER_ADDRESS_MULTIPLE * vars.RATE_LIMIT_CHAT_PER_MINUTE,
      searchPerAddressPerMinute: vars.RATE_LIMIT_SEARCH_PER_ADDRESS_PER_MINUTE ?? PER_ADDRESS_MULTIPLE * vars.RATE_LIMIT_SEARCH_PER_MINUTE,
    },
    dailyTokenBudget: vars.DAILY_TOKEN_BUDGET,
    accounts: {
      publicUrl: (publicUrl ?? `http://${vars.HOST ?? '127.0.0.1'}:${vars.PORT}`).replace(/\/$/, ''),
      requireEmailVerification: vars.REQUIRE_EMAIL_VERIFICATION,
    },
    course: { docsDir: vars.COURSE_DOCS_DIR === undefined ? undefined : resolve(vars.COURSE_DOCS_DIR), routeBase: vars.COURSE_ROUTE_BASE },
    mail: vars.SMTP_URL === undefined ? undefined : { smtpUrl: vars.SMTP_URL, from: vars.MAIL_FROM },
    privateOperatorPages: vars.PRIVATE_OPERATOR_PAGES,
    requestTimeoutMs: vars.REQUEST_TIMEOUT_SECONDS * 1000,
    maxConnectionsPerAddress: vars.MAX_CONNECTIONS_PER_ADDRESS,
    trustProxy: vars.TRUST_PROXY === undefined || vars.TRUST_PROXY === 'false' ? false : vars.TRUST_PROXY === 'true' ? true : Number(vars.TRUST_PROXY),
  };
}

function parseCorsOrigins(raw: string | undefined, isProduction: boolean): string[] {
  if (raw === undefined) {
    if (isProduction) {
      throw new ConfigError('CORS_ORIGINS', 'must be set in production: a comma-separated list of the sites that embed Docent, e.g. https://course.example.com');
    }
    return DEV_CORS_ORIGINS;
  }
  const origins = raw.split(',').map((origin) => origin.trim()).filter((origin) => origin !== '');
  for (const origin of origins) {
    if (!URL.canParse(origin) || new URL(origin).origin !== origin.replace(/\/$/, '')) {
      throw new ConfigError('CORS_ORIGINS', `contains "${origin}", which is not an origin like https://course.example.com (scheme, host and optional port, no path)`);
    }
  }
  if (isProduction && origins.length === 0) {
    throw new ConfigError('CORS_ORIGINS', 'must list at least one origin in production');
  }
  const insecure = isProduction ? origins.find((origin) => !origin.startsWith('https://') && !isLocalAddress(origin)) : undefined;
  if (insecure !== undefined) {
    throw new ConfigError('CORS_ORIGINS', `contains "${insecure}": production accepts only https:// origins (or localhost), since cookies and answers travel to them`);
  }
  return origins.map((origin) => new URL(origin).origin);
}

/** Addresses that never leave the machine, where plain http is no risk (a local trial of production). */
export function isLocalAddress(url: string): boolean {
  const host = new URL(url).hostname;
  return host === 'localhost' || host.endsWith('.localhost') || host === '127.0.0.1' || host === '[::1]';
}
