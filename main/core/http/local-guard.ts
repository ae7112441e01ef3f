import type { FastifyReply, FastifyRequest, HookHandlerDoneFunction } from 'fastify';
import { redactUrl } from '../security/redact.ts';

// The local API must not be usable from a web page. Two checks:
// - Host must name the loopback address and our port: a page on evil.example that rebinds its
//   DNS name to 127.0.0.1 still sends `Host: evil.example`.
// - A request that says it comes from a browser context (Origin, or Sec-Fetch-Site other than
//   same-origin/none) must come from Hookbox's own origin. curl sends neither, so it works.

const LOOPBACK_NAMES = ['127.0.0.1', 'localhost', '[::1]'];

export interface LocalGuardOptions {
  /** The port actually bound (known only after listen when the port was 0). */
  port: () => number;
}

export function allowedOrigins(port: number): string[] {
  return LOOPBACK_NAMES.map((name) => `http://${name}:${port}`);
}

function hostIsLoopback(host: string | undefined, port: number): boolean {
  if (!host) return false;
  const normalized = host.toLowerCase();
  return LOOPBACK_NAMES.some((name) => normalized === `${name}:${port}` || (port === 80 && normalized === name));
}

export type GuardRejection = { error: 'forbidden_host' | 'forbidden_origin'; message: string };

export function checkLocalRequest(headers: FastifyRequest['headers'], port: number): GuardRejection | undefined {
  if (!hostIsLoopback(headers.host, port)) {
    return {
      error: 'forbidden_host',
      message: `Host ${JSON.stringify(headers.host ?? '')} is not this loopback service (expected 127.0.0.1:${port})`,
    };
  }
  const origin = headers.origin;
  if (origin !== undefined && !allowedOrigins(port).includes(origin.toLowerCase())) {
    return { error: 'forbidden_origin', message: `requests from web pages are refused (Origin: ${origin})` };
  }
  const fetchSite = headers['sec-fetch-site'];
  if (origin === undefined && fetchSite !== undefined && fetchSite !== 'same-origin' && fetchSite !== 'none') {
    return {
      error: 'forbidden_origin',
      message: `requests from web pages are refused (Sec-Fetch-Site: ${String(fetchSite)})`,
    };
  }
  return undefined;
}

// A callback hook, not an async one: it runs on every request and a promise per request shows.
export function localGuard(options: LocalGuardOptions) {
  return function guard(request: FastifyRequest, reply: FastifyReply, done: HookHandlerDoneFunction): void {
    const rejection = checkLocalRequest(request.headers, options.port());
    if (!rejection) return done();
    request.log.warn(
      { host: request.headers.host, origin: request.headers.origin, url: redactUrl(request.url) },
      rejection.message,
    );
    reply.code(403).send({ success: false, ...rejection });
  };
}
