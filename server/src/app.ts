import cookie from '@fastify/cookie';
import cors from '@fastify/cors';
import type { Socket } from 'node:net';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import type { DestinationStream } from 'pino';
import { REQUEST_ID_HEADER } from '@docent/protocol';
import type { Config } from './config.js';
import { openDatabase, type Database } from './db/database.js';
import { prepareDatabase, type DatabasePreparation } from './db/prepare.js';
import { HistoryStore } from './chat/history-store.js';
import { chatRoutes } from './http/chat-routes.js';
import { chatKitRoutes } from './chatkit/chatkit-routes.js';
import { registerErrorHandlers } from './http/error-handler.js';
import { requireApiToken } from './http/api-token-guard.js';
import { registerJsonBodyParser } from './http/json-body.js';
import { registerOpenApi } from './http/openapi.js';
import { registerSecurityHeaders } from './http/security-headers.js';
import { registerOriginCheck } from './http/origin-check.js';
import { authRateLimit, chatAddressCeiling, chatRateLimit, registerRateLimits, searchAddressCeiling, searchRateLimit } from './http/rate-limits.js';
import { createAccounts } from './auth/accounts.js';
import { loggingMailer, smtpMailer, unavailableMailer } from './auth/mailer.js';
import { ProfileStore } from './auth/profiles.js';
import { DailyTokenBudget } from './chat/token-budget.js';
import { ApiTokenStore } from './auth/api-tokens.js';
import { accountRoutes } from './http/account-routes.js';
import { adminRoutes } from './http/admin-routes.js';
import { IngestRunner } from './knowledge/ingest-runner.js';
import { authRoutes } from './http/auth-routes.js';
import { ReaderResolver } from './http/reader.js';
import { loadWidgetBundle, widgetRoutes, type WidgetBundle } from './http/widget-routes.js';
import { knowledgeRoutes } from './http/knowledge-routes.js';
import { operationsRoutes } from './http/operations-routes.js';
import { BUNDLED_COURSE_DIR, BUNDLED_COURSE_INTRODUCTION, BUNDLED_COURSE_ROUTES, DOCS_ROUTE_BASE } from './knowledge/bundled-course.js';
import { openKnowledgeBase, type KnowledgeBase } from './knowledge/knowledge-base.js';
import { registerRequestContext, requestIdFor } from './http/request-context.js';
import { requestLogController } from './http/request-logging.js';
import { createLogger } from './observability/logger.js';
import { RequestMetrics, type AnswerOutcome } from './observability/metrics.js';
import { createGenerator } from './rag/answering/create-generator.js';
import { siteRoutes } from './site/site-routes.js';
import { defaultMinDenseScore } from './rag/retrieval/relevance.js';

export const DOCENT_VERSION = '0.1.0';

/** Request bodies larger than this are refused with 413 before they are parsed. */
const BODY_LIMIT_BYTES = 1024 * 1024;

export interface BuildAppOptions {
  /** Where logs go; stdout by default. Tests pass a stream to read what was logged. */
  logDestination?: DestinationStream;
  /** The built widget to serve; read from `widget/dist` by default. */
  widgetBundle?: WidgetBundle;
}

export type DocentApp = FastifyInstance & { database: Database; knowledge: KnowledgeBase };

/**
 * Builds the whole server for a configuration: opens the database (embedded or PostgreSQL),
 * applies pending migrations, and registers every route. Does not listen; `main.ts` does.
 */
export async function buildApp(config: Config, options: BuildAppOptions = {}): Promise<DocentApp> {
  const logger = createLogger(config.logLevel, options.logDestination);
  const database = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, log: logger });
  let preparation: DatabasePreparation;
  let knowledge: KnowledgeBase;
  try {
    preparation = await prepareDatabase(database, logger);
    knowledge = await openKnowledgeBase(config, database);
    const fallbackReason = knowledge.bundledRuntime?.fallbackReason;
    if (fallbackReason) logger.warn({ reason: fallbackReason }, 'the bundled embedding model runs on WebAssembly because its native runtime did not load here: answers are the same, embedding is several times slower');
  } catch (error) {
    await database.close();
    throw error;
  }

  const metrics = new RequestMetrics();
  const app = Fastify({
    loggerInstance: logger as FastifyBaseLogger,
    genReqId: requestIdFor,
    requestIdHeader: false,
    logController: requestLogController(),
    bodyLimit: BODY_LIMIT_BYTES,
    // A client trickling a request (headers or body) byte by byte is cut off, with 408. Node reads
    // these when the server is created (setting them later has no effect), and checks open
    // connections at the interval (its default, 30 s, would let them linger that long).
    requestTimeout: config.requestTimeoutMs,
    http: {
      requestTimeout: config.requestTimeoutMs,
      headersTimeout: Math.min(60_000, config.requestTimeoutMs),
      connectionsCheckingInterval: Math.min(5_000, config.requestTimeoutMs / 2),
    },
    // A hop count means "the N nearest proxies are ours" (Railway: 1).
    trustProxy: typeof config.trustProxy === 'number' ? trustNearestProxies(config.trustProxy) : config.trustProxy,
    return503OnClosing: true,
  }).withTypeProvider<ZodTypeProvider>();
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  app.decorate('database', database);
  app.decorate('knowledge', knowledge);
  app.addHook('onClose', async () => {
    preparation.stop();
    await knowledge.close();
    await database.close();
  });

  // Behind a proxy every connection comes from the proxy's address: the cap would throttle everyone.
  if (config.maxConnectionsPerAddress > 0 && config.trustProxy === false) capConnectionsPerAddress(app, config.maxConnectionsPerAddress);
  registerRequestContext(app, metrics);
  registerErrorHandlers(app);
  registerJsonBodyParser(app);
  // Pages and the API reference set their own content security policy; the widget script its own
  // cross-origin resource policy (it is embedded elsewhere).
  registerSecurityHeaders(app);
  registerOriginCheck(app, config.corsOrigins);
  await app.register(cors, {
    origin: config.corsOrigins,
    // The widget reads, asks, deletes conversations and edits the profile from the embedding site.
    methods: ['GET', 'HEAD', 'POST', 'PUT', 'DELETE'],
    credentials: true,
    exposedHeaders: [REQUEST_ID_HEADER, 'retry-after'],
  });
  const apiTokens = new ApiTokenStore(database.db);
  // Off by default: monitoring and the seed's checklist read /metrics without a token.
  if (config.privateOperatorPages) guardOperatorPages(app, apiTokens);
  await registerOpenApi(app, DOCENT_VERSION);
  await app.register(operationsRoutes, { database, metrics, indexing: knowledge.indexing });
  await app.register(widgetRoutes, { bundle: options.widgetBundle ?? loadWidgetBundle() });
  await app.register(siteRoutes, { docsDir: BUNDLED_COURSE_DIR, routeBase: DOCS_ROUTE_BASE, ...BUNDLED_COURSE_INTRODUCTION });
  await app.register(cookie, { secret: config.secretKey });
  const rateLimits = { redisUrl: config.redisUrl, ...config.rateLimit };
  const limitCounter = await registerRateLimits(app, rateLimits, metrics.registry);

  const history = new HistoryStore(database.db);
  const mailer = config.mail ? smtpMailer(config.mail.smtpUrl, config.mail.from) : config.isProduction ? unavailableMailer() : loggingMailer();
  app.addHook('onClose', async () => mailer.close());
  const accounts = createAccounts(
    database.db,
    { secretKey: config.secretKey, publicUrl: config.accounts.publicUrl, trustedOrigins: config.corsOrigins, requireEmailVerification: config.accounts.requireEmailVerification, secureCookies: config.isProduction },
    mailer,
    logger,
  );
  const readers = new ReaderResolver(accounts, config.isProduction);
  readers.register(app);
  await app.register(knowledgeRoutes, { knowledge, rateLimit: searchRateLimit(rateLimits, readers), addressCeiling: searchAddressCeiling(rateLimits, readers, limitCounter) });
  await app.register(authRoutes, { accounts, readers, history, publicUrl: config.accounts.publicUrl, secureCookies: config.isProduction, secretKey: config.secretKey, rateLimit: authRateLimit(rateLimits) });
  await app.register(accountRoutes, { accounts, readers, profiles: new ProfileStore(database.db), rateLimit: authRateLimit(rateLimits) });
  // The bundled course follows its own site's URLs; another course, Docusaurus's defaults.
  const course = config.course.docsDir === undefined ? { docsDir: BUNDLED_COURSE_DIR, ...BUNDLED_COURSE_ROUTES } : { docsDir: config.course.docsDir, routeBase: config.course.routeBase };
  const ingest = new IngestRunner(knowledge, course, logger);
  // Registered after the database hook, so it runs first: a re-ingest finishes before the database closes.
  app.addHook('onClose', async () => ingest.settled());
  await app.register(adminRoutes, { tokens: apiTokens, ingest, db: database.db });
  const chatting = {
    answering: {
      knowledge,
      history,
      generator: createGenerator(config, knowledge),
      minDenseScore: config.chat.minDenseScore ?? defaultMinDenseScore(knowledge.embedder.id),
      recordOutcome: (outcome: AnswerOutcome, keywordOnly: boolean) => metrics.observeAnswer(outcome, keywordOnly),
    },
    history,
    heartbeatMs: config.chat.heartbeatMs,
    readers,
    rateLimit: chatRateLimit(rateLimits, readers),
    addressCeiling: chatAddressCeiling(rateLimits, readers, limitCounter),
    budget: config.dailyTokenBudget === undefined ? undefined : new DailyTokenBudget(history, config.dailyTokenBudget, config.secretKey),
  };
  await app.register(chatRoutes, chatting);
  await app.register(chatKitRoutes, { ...chatting, path: config.chatKit.path, publicUrl: config.accounts.publicUrl });
  return app as unknown as DocentApp;
}

/** Metrics and the API reference (which names the Node version and every route) only for operators' API tokens. */
function guardOperatorPages(app: FastifyInstance, tokens: ApiTokenStore): void {
  const guard = requireApiToken(tokens, 'read');
  app.addHook('onRequest', (request, _reply, done) => {
    const path = request.url.split('?')[0] ?? '';
    if (path === '/metrics' || path.startsWith('/metrics/') || path === '/api/docs' || path.startsWith('/api/docs/')) guard(request).then(() => done(), done);
    else done();
  });
}

/** Refuses a new connection from an address that already holds `max` open ones. */
function capConnectionsPerAddress(app: FastifyInstance, max: number): void {
  const open = new Map<string, number>();
  app.server.on('connection', (socket: Socket) => {
    const address = socket.remoteAddress ?? 'unknown';
    const count = (open.get(address) ?? 0) + 1;
    if (count > max) {
      socket.destroy();
      return;
    }
    open.set(address, count);
    socket.once('close', () => {
      const left = (open.get(address) ?? 1) - 1;
      if (left === 0) open.delete(address);
      else open.set(address, left);
    });
  });
}

function trustNearestProxies(count: number): (address: string, hop: number) => boolean {
  return (_address, hop) => hop < count;
}
