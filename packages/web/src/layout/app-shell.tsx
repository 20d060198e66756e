import { Link, Outlet } from '@tanstack/react-router';
import { signOut, useSession } from '../api/session.ts';
import { useLocale } from '../i18n/i18n.tsx';
import { OperatorNav } from '../operator/operator-nav.tsx';
import { Problem } from './problem.tsx';
import { AdminLinks } from '../admin/admin-org.tsx';

/** The frame of every page: who is signed in, where I am, and the page itself. */
export function AppShell() {
  const { t } = useLocale();
  const session = useSession();
  if (session.isPending) return <p className="status">{t('common.loading')}</p>;
  if (session.isError) return <Problem error={session.error} />;
  if (!session.data.authenticated) {
    const returnTo = encodeURIComponent(location.pathname + location.search);
    return (
      <main className="signed-out">
        <h1>{t('app.name')}</h1>
        <p>{t('session.signedOut')}</p>
        <p>{t('session.signInHint')}</p>
        <a className="button" href={`/auth/login?return_to=${returnTo}`}>
          {t('session.signIn')}
        </a>
      </main>
    );
  }
  const { user, csrfToken } = session.data;
  return (
    <>
      <header className="top">
        <span className="brand">{t('app.name')}</span>
        <nav aria-label={t('nav.main')}>
          <Link to="/" activeOptions={{ exact: true }} activeProps={{ 'aria-current': 'page' }}>
            {t('nav.loggers')}
          </Link>
          <Link to="/missions" activeProps={{ 'aria-current': 'page' }}>
            {t('nav.missions')}
          </Link>
          <Link to="/alerts" activeProps={{ 'aria-current': 'page' }}>
            {t('nav.alerts')}
          </Link>
          {user.operator && <OperatorNav />}
          {user.role === 'admin' && user.orgId !== null && <Link to="/admin/members" activeProps={{ 'aria-current': 'page' }}>{t('nav.members')}</Link>}
          {user.role === 'admin' && user.orgId !== null && <Link to="/admin/teams" activeProps={{ 'aria-current': 'page' }}>{t('nav.teams')}</Link>}
          {user.role === 'admin' && user.orgId !== null && <AdminLinks />}
          <Link to="/preferences" activeProps={{ 'aria-current': 'page' }}>
            {t('nav.preferences')}
          </Link>
        </nav>
        <span className="who">{user.displayName ?? user.email}</span>
        <button type="button" onClick={() => void signOut(csrfToken)}>
          {t('nav.signOut')}
        </button>
      </header>
      <main>
        <Outlet />
      </main>
    </>
  );
}
