import { useQuery } from '@tanstack/react-query';
import { api, dataOf, useCsrfToken } from './api.ts';

export interface SessionUser {
  id: string;
  email: string;
  displayName: string | null;
  orgId: string | null;
  role: 'admin' | 'user' | null;
  operator: boolean;
}

export type Session = { authenticated: false } | { authenticated: true; user: SessionUser; csrfToken: string; expiresAt: string };

/** Who is signed in (the service's /auth/session), with the CSRF token the API's changes need. */
export function useSession() {
  return useQuery({
    queryKey: ['session'],
    queryFn: async (): Promise<Session> => {
      const answer = await fetch('/auth/session', { credentials: 'same-origin' });
      if (!answer.ok) throw new Error(`session: ${answer.status}`);
      const session = (await answer.json()) as Session;
      if (session.authenticated) useCsrfToken(session.csrfToken);
      return session;
    },
    staleTime: 60_000,
  });
}

/** Leaves through the service's sign-out, which names where the browser goes next (the provider's logout, then the signed-out page). */
export async function signOut(csrfToken: string): Promise<void> {
  const answer = await fetch('/auth/logout', { method: 'POST', headers: { 'x-csrf-token': csrfToken }, credentials: 'same-origin' });
  const next = answer.ok ? ((await answer.json()) as { redirectTo?: string }).redirectTo : undefined;
  location.assign(next ?? '/auth/signed-out');
}

/** Ends every session of the signed-in person, in every browser (this one too), then shows the signed-out page. */
export async function signOutEverywhere(): Promise<void> {
  const { redirectTo } = dataOf(await api.POST('/api/v1/me/sessions/revoke', { body: { confirm: true } }));
  location.assign(redirectTo);
}
