import type { FastifyRequest } from 'fastify';
import { accessOf } from '../../policy-hook.ts';
import { actorOf } from '../../../core/audit/audit-log.ts';
import { isTenancyError } from '../../../core/tenancy/tenancy-errors.ts';
import type { ActingAs } from '../../../core/tenancy/tenancy-service.ts';
import { HttpError } from '../../../shared/http-error.ts';

/** Runs a tenancy act, turning its refusals into the API's errors. */
export async function act<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    if (!isTenancyError(e)) throw e;
    if (e.code === 'not-found') throw new HttpError(404, 'not-found', e.message);
    if (e.code === 'conflict') throw new HttpError(409, 'conflict', e.message);
    throw new HttpError(400, 'invalid-request', e.message);
  }
}

/** The request's principal as an audit actor, and its address. */
export function actingAs(request: FastifyRequest): ActingAs {
  const { subject } = accessOf(request);
  const actor =
    subject.kind === 'user' ? { kind: 'user' as const, id: subject.userId } : subject.kind === 'api-key' ? { kind: 'api-key' as const, id: subject.keyId } : actorOf(request.principal);
  return { actor, sourceAddress: request.ip };
}

/** `kind:id` of the acting principal, as stored in claimed_by. */
export function actorLabel(as: ActingAs): string {
  return 'id' in as.actor ? `${as.actor.kind}:${as.actor.id}` : `${as.actor.kind}:`;
}

/** The organization a targeted route's object belongs to (the policy resolved it). */
export function targetOrg(request: FastifyRequest): string {
  const target = accessOf(request).target;
  if (target === undefined) throw new Error(`route ${request.routeOptions.url ?? '?'} has no target`);
  return target.orgId;
}
