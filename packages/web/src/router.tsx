import { createRootRoute, createRoute, createRouter, lazyRouteComponent } from '@tanstack/react-router';
import { AppShell } from './layout/app-shell.tsx';
import { LoggerPage } from './pages/logger-page.tsx';
import { LoggersPage } from './pages/loggers-page.tsx';
import { NotFoundPage } from './pages/not-found-page.tsx';

// Every page but the loggers and a logger (where people land) is its own chunk, fetched when first needed (or on hover:
// defaultPreload 'intent'): the JavaScript loaded after sign-in stays small as pages are added.
const root = createRootRoute({ component: AppShell, notFoundComponent: NotFoundPage });

export const loggersRoute = createRoute({ getParentRoute: () => root, path: '/', component: LoggersPage });
export const loggerRoute = createRoute({ getParentRoute: () => root, path: '/loggers/$serial', component: LoggerPage });
export const missionsRoute = createRoute({ getParentRoute: () => root, path: '/missions', component: lazyRouteComponent(() => import('./pages/missions-page.tsx'), 'MissionsPage') });
export const missionRoute = createRoute({ getParentRoute: () => root, path: '/missions/$missionId', component: lazyRouteComponent(() => import('./pages/mission-page.tsx'), 'MissionPage') });
export const alertsRoute = createRoute({ getParentRoute: () => root, path: '/alerts', component: lazyRouteComponent(() => import('./pages/alerts-page.tsx'), 'AlertsPage') });
export const alertRoute = createRoute({ getParentRoute: () => root, path: '/alerts/$alertId', component: lazyRouteComponent(() => import('./pages/alert-page.tsx'), 'AlertPage') });
export const preferencesRoute = createRoute({ getParentRoute: () => root, path: '/preferences', component: lazyRouteComponent(() => import('./pages/preferences-page.tsx'), 'PreferencesPage') });
export const organizationsRoute = createRoute({ getParentRoute: () => root, path: '/operator/orgs', component: lazyRouteComponent(() => import('./operator/organizations-page.tsx'), 'OrganizationsPage') });
export const organizationRoute = createRoute({ getParentRoute: () => root, path: '/operator/orgs/$orgId', component: lazyRouteComponent(() => import('./operator/organization-page.tsx'), 'OrganizationPage') });
export const platformHealthRoute = createRoute({ getParentRoute: () => root, path: '/operator/health', component: lazyRouteComponent(() => import('./operator/platform-health-page.tsx'), 'PlatformHealthPage') });

export const membersRoute = createRoute({ getParentRoute: () => root, path: '/admin/members', component: lazyRouteComponent(() => import('./admin/members-page.tsx'), 'MembersPage') });
export const teamsRoute = createRoute({ getParentRoute: () => root, path: '/admin/teams', component: lazyRouteComponent(() => import('./admin/teams-page.tsx'), 'TeamsPage') });
export const teamRoute = createRoute({ getParentRoute: () => root, path: '/admin/teams/$teamId', component: lazyRouteComponent(() => import('./admin/team-page.tsx'), 'TeamPage') });

export const apiKeysRoute = createRoute({ getParentRoute: () => root, path: '/admin/api-keys', component: lazyRouteComponent(() => import('./pages/api-keys-page.tsx'), 'ApiKeysPage') });
export const claimRoute = createRoute({ getParentRoute: () => root, path: '/admin/claim', component: lazyRouteComponent(() => import('./pages/claim-page.tsx'), 'ClaimPage') });
export const auditRoute = createRoute({ getParentRoute: () => root, path: '/admin/audit', component: lazyRouteComponent(() => import('./pages/audit-page.tsx'), 'AuditPage') });

export const router = createRouter({
  routeTree: root.addChildren([loggersRoute, loggerRoute, missionsRoute, missionRoute, alertsRoute, alertRoute, preferencesRoute, organizationsRoute, organizationRoute, platformHealthRoute, membersRoute, teamsRoute, teamRoute, apiKeysRoute, claimRoute, auditRoute]),
  basepath: '/app',
  defaultPreload: 'intent',
});

declare module '@tanstack/react-router' {
  interface Register {
    router: typeof router;
  }
}
