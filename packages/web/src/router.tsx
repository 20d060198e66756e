import { createRootRoute, createRoute, createRouter } from '@tanstack/react-router';
import { AppShell } from './layout/app-shell.tsx';
import { LoggerPage } from './pages/logger-page.tsx';
import { LoggersPage } from './pages/loggers-page.tsx';
import { AlertPage } from './pages/alert-page.tsx';
import { AlertsPage } from './pages/alerts-page.tsx';
import { MissionPage } from './pages/mission-page.tsx';
import { MissionsPage } from './pages/missions-page.tsx';
import { NotFoundPage } from './pages/not-found-page.tsx';
import { PreferencesPage } from './pages/preferences-page.tsx';
import { OrganizationPage } from './operator/organization-page.tsx';
import { OrganizationsPage } from './operator/organizations-page.tsx';
import { PlatformHealthPage } from './operator/platform-health-page.tsx';
import { MembersPage } from './admin/members-page.tsx';
import { TeamPage } from './admin/team-page.tsx';
import { TeamsPage } from './admin/teams-page.tsx';
import { ApiKeysPage } from './pages/api-keys-page.tsx';
import { ClaimPage } from './pages/claim-page.tsx';
import { AuditPage } from './pages/audit-page.tsx';

const root = createRootRoute({ component: AppShell, notFoundComponent: NotFoundPage });

export const loggersRoute = createRoute({ getParentRoute: () => root, path: '/', component: LoggersPage });
export const loggerRoute = createRoute({ getParentRoute: () => root, path: '/loggers/$serial', component: LoggerPage });
export const missionsRoute = createRoute({ getParentRoute: () => root, path: '/missions', component: MissionsPage });
export const missionRoute = createRoute({ getParentRoute: () => root, path: '/missions/$missionId', component: MissionPage });
export const alertsRoute = createRoute({ getParentRoute: () => root, path: '/alerts', component: AlertsPage });
export const alertRoute = createRoute({ getParentRoute: () => root, path: '/alerts/$alertId', component: AlertPage });
export const preferencesRoute = createRoute({ getParentRoute: () => root, path: '/preferences', component: PreferencesPage });
export const organizationsRoute = createRoute({ getParentRoute: () => root, path: '/operator/orgs', component: OrganizationsPage });
export const organizationRoute = createRoute({ getParentRoute: () => root, path: '/operator/orgs/$orgId', component: OrganizationPage });
export const platformHealthRoute = createRoute({ getParentRoute: () => root, path: '/operator/health', component: PlatformHealthPage });

export const membersRoute = createRoute({ getParentRoute: () => root, path: '/admin/members', component: MembersPage });
export const teamsRoute = createRoute({ getParentRoute: () => root, path: '/admin/teams', component: TeamsPage });
export const teamRoute = createRoute({ getParentRoute: () => root, path: '/admin/teams/$teamId', component: TeamPage });

export const apiKeysRoute = createRoute({ getParentRoute: () => root, path: '/admin/api-keys', component: ApiKeysPage });
export const claimRoute = createRoute({ getParentRoute: () => root, path: '/admin/claim', component: ClaimPage });
export const auditRoute = createRoute({ getParentRoute: () => root, path: '/admin/audit', component: AuditPage });

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
