import { readFileSync, statSync } from 'node:fs';
import { extname, join } from 'node:path';
import type { FastifyReply } from 'fastify';
import { Type } from 'typebox';
import type { ApiServer } from '../api-types.ts';

// `hookbox serve` serves the window's page (out/renderer, the same build the desktop app loads)
// for headless hosts, WSL and the browser tests. The page gets its control token from the URL's
// fragment (#token=…, never sent to a server), so these files are public: they hold no secret.

export interface UiOptions {
  /** The built renderer: index.html and assets/. */
  rendererDir: string;
}

/**
 * The page's policy: only its own scripts, styles and images, and requests only to this origin
 * (the RPC routes and the event stream). No framing, no forms, no plugins.
 */
export const UI_CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

const TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.woff2': 'font/woff2',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
};

function secure(reply: FastifyReply): FastifyReply {
  return reply
    .header('content-security-policy', UI_CONTENT_SECURITY_POLICY)
    .header('x-content-type-options', 'nosniff')
    .header('referrer-policy', 'no-referrer')
    .header('x-frame-options', 'DENY')
    .header('cross-origin-opener-policy', 'same-origin');
}

function notBuiltPage(rendererDir: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Hookbox: window not built</title></head>
<body>
<h1>The Hookbox window is not built</h1>
<p>This <code>hookbox serve</code> found no page in <code>${rendererDir.replace(/[<>&]/g, '')}</code>.</p>
<p>Build it in the Hookbox checkout with <code>npm run build</code>, then reload this page (the server need not restart).</p>
<p>The API itself works: <a href="/health">/health</a>.</p>
</body></html>
`;
}

export function registerUiRoutes(app: ApiServer, options: UiOptions): void {
  // The page as built, but allowed to call this origin: the desktop build's own meta policy says
  // connect-src 'none' (it talks through IPC), which would block the browser build's fetches.
  const readIndex = (): string | undefined => {
    try {
      return readFileSync(join(options.rendererDir, 'index.html'), 'utf8').replace(
        "connect-src 'none'",
        "connect-src 'self'",
      );
    } catch {
      return undefined;
    }
  };

  app.get('/', async (_request, reply) => {
    const html = readIndex();
    secure(reply).header('cache-control', 'no-store').type('text/html; charset=utf-8');
    if (html === undefined) return reply.code(503).send(notBuiltPage(options.rendererDir));
    return reply.send(html);
  });

  app.get(
    '/assets/:file',
    { schema: { params: Type.Object({ file: Type.String({ pattern: '^[A-Za-z0-9_.-]+$' }) }) } },
    async (request, reply) => {
      const { file } = request.params;
      const type = TYPES[extname(file)];
      const path = join(options.rendererDir, 'assets', file);
      let body: Buffer;
      try {
        if (!type || file.startsWith('.') || !statSync(path).isFile()) throw new Error('not an asset');
        body = readFileSync(path);
      } catch {
        return reply.code(404).send({ success: false, error: 'not_found', message: `no asset ${file}` });
      }
      // File names carry a content hash: a name never changes content.
      return secure(reply).header('cache-control', 'public, max-age=31536000, immutable').type(type).send(body);
    },
  );
}
