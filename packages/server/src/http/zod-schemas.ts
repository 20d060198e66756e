import type { FastifyInstance } from 'fastify';
import { serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod';

/**
 * Route schemas in this scope are zod schemas: requests are parsed by them (defaults and
 * coercion applied, unknown fields of strict objects refused) and answers encoded by them
 * (fields a response schema does not declare are stripped, never sent). Refusals reach the one
 * error mapper as Fastify validation errors.
 */
export function useZodSchemas(app: FastifyInstance): void {
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
}

/**
 * Registers routes with zod schemas in a scope of their own, for the /api/v1 routes that are
 * mounted inside the API's OpenAPI scope when there is one and on the bare app when not.
 */
export function registerZodRoutes(parent: FastifyInstance, routes: (app: FastifyInstance) => void): void {
  void parent.register((app, _options, done) => {
    useZodSchemas(app);
    routes(app);
    done();
  });
}
