import { MutationCache, QueryCache, QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { RouterProvider } from '@tanstack/react-router';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { ApiProblem } from './api/api.ts';
import { LocaleProvider } from './i18n/i18n.tsx';
import { router } from './router.tsx';
import './styles.css';

const queries: QueryClient = new QueryClient({
  // A 401: the session ended (expired, or signed out everywhere from another browser); the shell asks again and shows the signed-out page.
  queryCache: new QueryCache({ onError: askSessionAgainOn401 }),
  mutationCache: new MutationCache({ onError: askSessionAgainOn401 }),
  defaultOptions: {
    queries: {
      // A refusal (4xx) will not change by asking again; a network hiccup may.
      retry: (count, error) => !(error instanceof ApiProblem && error.status < 500) && count < 2,
      refetchOnWindowFocus: false,
    },
  },
});

function askSessionAgainOn401(error: Error): void {
  if (error instanceof ApiProblem && error.status === 401) void queries.invalidateQueries({ queryKey: ['session'] });
}

const root = document.getElementById('root');
if (root === null) throw new Error('no #root element');
createRoot(root).render(
  <StrictMode>
    <QueryClientProvider client={queries}>
      <LocaleProvider>
        <RouterProvider router={router} />
      </LocaleProvider>
    </QueryClientProvider>
  </StrictMode>,
);
