import { readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

/** The web app's own path: the root belongs to scan links, whose digits could take any name. */
export const WEB_APP_PREFIX = '/app/';

/**
 * The app's page may load its own scripts and styles and talk to its own origin, nothing else.
 * Styles set by script through the CSSOM (React, uPlot) are not inline styles to CSP.
 */
export const WEB_APP_CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; connect-src 'self'; font-src 'self'; manifest-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

const TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
};

interface StaticFile {
  body: Buffer;
  gzip: Buffer;
  type: string;
}

/** The built app (packages/web/dist), read once at start: a few small files, served from memory, gzipped once. */
export interface WebAppFiles {
  index: StaticFile;
  /** By path under /app/, e.g. "assets/index-abc123.js". */
  assets: ReadonlyMap<string, StaticFile>;
}

/** The built app in `dir`, or undefined when it has not been built (`npm run build`). */
export function loadWebApp(dir: string): WebAppFiles | undefined {
  let index: Buffer;
  try {
    index = readFileSync(join(dir, 'index.html'));
  } catch {
    return undefined;
  }
  const assets = new Map<string, StaticFile>();
  const walk = (relative: string) => {
    for (const name of readdirSync(join(dir, relative))) {
      const path = relative === '' ? name : `${relative}/${name}`;
      if (statSync(join(dir, path)).isDirectory()) walk(path);
      else if (path !== 'index.html' && TYPES[extname(name)] !== undefined) assets.set(path, staticFile(readFileSync(join(dir, path)), TYPES[extname(name)] ?? ''));
    }
  };
  walk('');
  return { index: staticFile(index, 'text/html; charset=utf-8'), assets };
}

function staticFile(body: Buffer, type: string): StaticFile {
  return { body, gzip: gzipSync(body, { level: 9 }), type };
}

/** As every answer's, except the camera: an admin claims a logger by holding its QR code up to the laptop's camera (the app's claim page). */
const WEB_APP_PERMISSIONS = 'geolocation=(), camera=(self), microphone=(), payment=(), usb=()';

/**
 * `/` leads to the app; `/app/…` is the app: a hashed file under /app/assets/ (cached for good,
 * its name changes with its content) or, for any other path, the app's page, whose router shows
 * the page the path names. Without a built app, a short page says how to build it.
 */
export function registerWebAppRoutes(app: FastifyInstance, files: WebAppFiles | undefined): void {
  app.get('/', { config: { policy: 'public' } }, async (_request, reply) => reply.code(303).header('location', WEB_APP_PREFIX).send());
  app.get('/app', { config: { policy: 'public' } }, async (_request, reply) => reply.code(301).header('location', WEB_APP_PREFIX).send());
  app.get('/app/*', { config: { policy: 'public' } }, async (request, reply) => {
    if (files === undefined) {
      return reply.code(503).type('text/plain; charset=utf-8').send('The web app is not built: run `npm run build`, then start the service again.\n');
    }
    const path = (request.params as { '*': string })['*'];
    const asset = files.assets.get(path);
    if (asset !== undefined) {
      reply.header('cache-control', 'public, max-age=31536000, immutable');
      return sendFile(request, reply, asset);
    }
    // A missing hashed file is an old page asking for a replaced build: 404, not the app's page.
    if (path.startsWith('assets/')) return reply.code(404).type('text/plain; charset=utf-8').send('not found\n');
    reply.header('content-security-policy', WEB_APP_CSP);
    reply.header('permissions-policy', WEB_APP_PERMISSIONS);
    return sendFile(request, reply, files.index);
  });
}

function sendFile(request: FastifyRequest, reply: FastifyReply, file: StaticFile): FastifyReply {
  reply.header('vary', 'accept-encoding').type(file.type);
  if (/\bgzip\b/.test(request.headers['accept-encoding'] ?? '')) return reply.header('content-encoding', 'gzip').send(file.gzip);
  return reply.send(file.body);
}
