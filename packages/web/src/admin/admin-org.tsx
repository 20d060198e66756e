import { useQuery } from '@tanstack/react-query';
import { Link } from '@tanstack/react-router';
import { api, dataOf } from '../api/api.ts';
import { useSession } from '../api/session.ts';
import { useLocale } from '../i18n/i18n.tsx';

/** The navigation entries of an organization's admins (the shell shows them to admins only). */
export function AdminLinks() {
  const { t } = useLocale();
  return (
    <>
      <Link to="/admin/api-keys" activeProps={{ 'aria-current': 'page' }}>
        {t('admin.nav.apiKeys')}
      </Link>
      <Link to="/admin/claim" activeProps={{ 'aria-current': 'page' }}>
        {t('admin.nav.claim')}
      </Link>
      <Link to="/admin/audit" activeProps={{ 'aria-current': 'page' }}>
        {t('admin.nav.audit')}
      </Link>
    </>
  );
}

/** The organization the signed-in admin administers; undefined for anyone else (the page says so). */
export function useAdminOrg(): string | undefined {
  const session = useSession();
  const user = session.data?.authenticated === true ? session.data.user : undefined;
  return user?.role === 'admin' && user.orgId !== null ? user.orgId : undefined;
}

/** The organization's teams, for choosing where a claimed logger goes. */
export function useTeams(orgId: string) {
  return useQuery({
    queryKey: ['teams', orgId],
    queryFn: async () => dataOf(await api.GET('/api/v1/orgs/{orgId}/teams', { params: { path: { orgId }, query: { limit: 1000 } } })).items,
  });
}

/** The organization's members, to name the actors of the audit log. */
export function useMembers(orgId: string) {
  return useQuery({
    queryKey: ['members', orgId],
    queryFn: async () => dataOf(await api.GET('/api/v1/orgs/{orgId}/members', { params: { path: { orgId }, query: { limit: 1000 } } })).items,
  });
}
