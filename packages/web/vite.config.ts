import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// The app is served by the qrlog service from its own origin (packages/server/src/http/routes/web-app-routes.ts):
// hashed files under /app/assets/, index.html for every page of the app.
export default defineConfig({
  root: import.meta.dirname,
  // Under /app/: the service's root path belongs to scan links.
  base: '/app/',
  plugins: [react()],
  resolve: { conditions: ['development'] },
  build: { outDir: 'dist', emptyOutDir: true, sourcemap: false, chunkSizeWarningLimit: 400 },
});
