import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { AppError } from '../../../common/app-error.ts';
import type { NotificationServices } from '../../../core/notifications/notification-services.ts';
import type { PreferenceSubject } from '../../../core/notifications/notification-preferences.ts';
import { accessOf } from '../../policy-hook.ts';
import type { ApiContext } from './api-context.ts';
import { API_PREFIX, ERRORS } from './api-schemas.ts';
import { actingAs } from './tenancy-http.ts';

const SEVERITY = z.enum(['info', 'warning', 'critical']);

/** One schema for reading and writing: what comes back is what was sent, normalised. */
const PREFERENCES = z.strictObject({
  severities: z.array(SEVERITY).max(3).describe('Alerts of these severities reach you (none: no alert mail)'),
  delivery: z.enum(['immediate', 'digest']).describe('Each alert as it happens, or one mail a day'),
  unsubscribed: z.boolean().describe('True: no alert mail at all to your address (what an unsubscribe link sets)'),
});

const PATH = `${API_PREFIX}/me/notification-preferences`;

/** `GET`/`PUT /api/v1/me/notification-preferences`: which alerts reach the signed-in user, and how. */
export function registerNotificationPreferenceRoutes(app: FastifyInstance, ctx: ApiContext, notifications: NotificationServices): void {
  const api = app.withTypeProvider<ZodTypeProvider>();
  api.get(
    PATH,
    {
      config: { policy: { action: 'notifications.preferences' } },
      schema: {
        tags: ['notifications'],
        operationId: 'getMyNotificationPreferences',
        summary: 'Your notification preferences: which alert severities reach you, at once or as a daily digest',
        response: { 200: PREFERENCES, ...ERRORS },
      },
    },
    async (request) => notifications.preferences.get(await subjectOf(request, ctx)),
  );

  api.put(
    PATH,
    {
      config: { policy: { action: 'notifications.preferences' } },
      schema: {
        tags: ['notifications'],
        operationId: 'updateMyNotificationPreferences',
        summary: 'Choose which alert severities reach you, at once or as a daily digest, or no alert mail at all',
        body: PREFERENCES,
        response: { 200: PREFERENCES, ...ERRORS },
      },
    },
    async (request) => {
      const as = actingAs(request);
      return notifications.preferences.update(await subjectOf(request, ctx), request.body, as.actor, as.sourceAddress ?? null);
    },
  );
}

/** Preferences are a person's: the policy keeps API keys out. */
async function subjectOf(request: FastifyRequest, ctx: ApiContext): Promise<PreferenceSubject> {
  const { subject } = accessOf(request);
  if (subject.kind !== 'user') throw new Error('unreachable: the policy admits only people here');
  const user = await ctx.services.users.findById(subject.userId);
  if (user === undefined) throw new AppError('not-found', 'nothing here');
  return { userId: user.id, email: user.email, orgId: user.orgId };
}
