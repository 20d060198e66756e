import type { FastifyRequest } from 'fastify';
import { accessOf } from '../../policy-hook.ts';
import { actorOf } from '../../../core/audit/audit-log.ts';
import type { ActingAs } from '../../../core/tenancy/tenancy-service.ts';

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
