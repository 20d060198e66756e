import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AttachLocationResult } from '../../core/ingest/ingest-contract.ts';
import type { AppContext } from '../app-context.ts';
import { AppError } from '../../common/app-error.ts';
import { BATCH_PATH } from '../paths.ts';
import { SCAN_ID_PATTERN } from '../scan-id.ts';
import { registerZodRoutes } from '../zod-schemas.ts';
import { ERROR, NO_CONTENT } from './api/api-schemas.ts';

const locationBody = z.strictObject({
  latitude: z.number().min(-90).max(90),
  longitude: z.number().min(-180).max(180),
  accuracy: z.number().min(0).max(1e7).nullable().optional().describe('Metres'),
});

/**
 * The scan page posts the phone's position here. The unguessable scan id is the capability;
 * the service lets it work once, and only within a short window after the scan.
 */
export function registerScanLocationRoute(parent: FastifyInstance, ctx: AppContext): void {
  registerZodRoutes(parent, (app) => {
    app.withTypeProvider<ZodTypeProvider>().post(
      `${BATCH_PATH}/:scanId/location`,
      {
        bodyLimit: 1024,
        config: { policy: 'public' },
        schema: {
          tags: ['scans'],
          operationId: 'addScanLocation',
          summary: 'Add the phone\u2019s position to a scan, once, shortly after it (the scan page does this)',
          // Any text: an id that is not one answers 404 like an unknown one, not 400.
          params: z.strictObject({ scanId: z.string().describe('The scan id from the scan page') }),
          body: locationBody,
          response: { 204: NO_CONTENT, 400: ERROR, 404: ERROR, 409: ERROR },
        },
      },
      async (request, reply) => {
        const location = request.body;
        const { scanId } = request.params;
        const result: AttachLocationResult = SCAN_ID_PATTERN.test(scanId)
          ? await ctx.services.scans.attachLocation(scanId, { latitude: location.latitude, longitude: location.longitude, accuracy: location.accuracy ?? null })
          : 'not-found';
        switch (result) {
          case 'attached':
            return reply.code(204).send(null);
          case 'not-found':
            throw new AppError('not-found', 'no such scan');
          case 'already-located':
            throw new AppError('location-refused', 'this scan has a location already');
          case 'too-late':
            throw new AppError('location-refused', 'a location can only be added shortly after the scan');
          case 'invalid-location':
            throw new AppError('invalid-request', 'not a valid location');
        }
      },
    );
  });
}
