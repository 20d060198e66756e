import { useQuery } from '@tanstack/react-query';
import { api, dataOf } from '../api/api.ts';
import { useSession } from '../api/session.ts';

/** One page is the whole organization for the admin pages: the API's largest page. */
export const ORG_PAGE = 1000;

/** The signed-in admin's organization, or null for anyone else (a plain member, an operator without one). */
export function useAdminOrgId(): string | null {
  const session = useSession();
  const user = session.data?.authenticated === true ? session.data.user : undefined;
  return user?.role === 'admin' && user.orgId !== null ? user.orgId : null;
}

/** The organization's teams, by name (shared by the members, teams and team pages; under 'admin', apart from the loggers page's list of another shape). */
export function useTeams(orgId: string | null) {
  return useQuery({
    queryKey: ['admin', 'teams', orgId],
    enabled: orgId !== null,
    queryFn: async () => dataOf(await api.GET('/api/v1/orgs/{orgId}/teams', { params: { path: { orgId: orgId ?? '' }, query: { limit: ORG_PAGE } } })),
  });
}

/** The organization's members (and invited people), by id. */
export function useMembers(orgId: string | null) {
  return useQuery({
    queryKey: ['admin', 'members', orgId],
    enabled: orgId !== null,
    queryFn: async () => dataOf(await api.GET('/api/v1/orgs/{orgId}/members', { params: { path: { orgId: orgId ?? '' }, query: { limit: ORG_PAGE } } })),
  });
}
