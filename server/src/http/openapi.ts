import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';
import { jsonSchemaTransform } from 'fastify-type-provider-zod';

/**
 * The OpenAPI document is generated from the routes' zod schemas; the UI lives at `/api/docs`
 * (`/docs` belongs to the course's pages).
 */
export async function registerOpenApi(app: FastifyInstance, version: string): Promise<void> {
  await app.register(swagger, {
    openapi: {
      info: {
        title: 'Docent API',
        description: 'The course assistant API. Every error response is {"error":{"code","message","request_id"}}.',
        version,
      },
      tags: [
        { name: 'course', description: 'Search the course' },
        { name: 'operations', description: 'Health, metrics and status for operators' },
        { name: 'chat', description: 'Ask questions; conversations and feedback' },
        { name: 'accounts', description: 'The signed-in reader (sign-up, sign-in and reset are under /api/auth)' },
        { name: 'admin', description: 'For operators and automation, with an API token' },
      ],
      components: {
        securitySchemes: { apiToken: { type: 'http', scheme: 'bearer', description: 'An API token (dct_…) from npm run admin -- create-token' } },
      },
    },
    transform: jsonSchemaTransform,
  });
  await app.register(swaggerUi, { routePrefix: '/api/docs' });
}
