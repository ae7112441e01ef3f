import { pino, type Logger, type LoggerOptions as PinoOptions } from 'pino';
import pretty from 'pino-pretty';
import { REDACTED, redactHeaders, redactText, redactUrl } from './security/redact.ts';

export type { Logger } from 'pino';

export interface LoggerOptions {
  /** AGENTD_LOG_FORMAT: 'text' is one readable line per record, 'json' is one JSON object per line. */
  format: 'text' | 'json';
  level?: string;
  /** Defaults to stdout. */
  destination?: NodeJS.WritableStream;
}

// Paths whose values are secrets wherever they appear in a log record.
const CREDENTIAL_HEADERS = ['authorization', 'cookie', 'proxy-authorization', 'x-hookbox-token', 'x-api-key'].map(
  (name) => (/^[a-z]+$/.test(name) ? `.${name}` : `["${name}"]`),
);
const REDACT = [
  'token',
  'secret',
  'password',
  '*.token',
  '*.secret',
  '*.password',
  ...CREDENTIAL_HEADERS.flatMap((name) => [`headers${name}`, `req.headers${name}`, `*.headers${name}`]),
];

type RequestLike = {
  method?: string;
  url?: string;
  host?: string;
  ip?: string;
  headers?: { host?: string };
  socket?: { remoteAddress?: string };
};

// URLs can carry credentials (`?token=` on the event streams): whoever logs one — our routes,
// fastify's own messages, an error's text — the record passes through these first.
const serializers = {
  url: (url: unknown) => (typeof url === 'string' ? redactUrl(url) : url),
  headers: (headers: unknown) =>
    typeof headers === 'object' && headers !== null ? redactHeaders(headers as Record<string, unknown>) : headers,
  req: (req: RequestLike) => ({
    method: req.method,
    url: typeof req.url === 'string' ? redactUrl(req.url) : req.url,
    host: req.host ?? req.headers?.host,
    remoteAddress: req.ip ?? req.socket?.remoteAddress,
  }),
  err: (err: Error) => {
    const out = pino.stdSerializers.err(err) as { message?: string; stack?: string; rawPacket?: unknown } | undefined;
    // A parser error carries the raw request bytes (URL and headers, token included).
    if (out) delete out.rawPacket;
    if (out && typeof out.message === 'string') out.message = redactText(out.message);
    if (out && typeof out.stack === 'string') out.stack = redactText(out.stack);
    return out;
  },
};

export function createLogger(options: LoggerOptions): Logger {
  const base: PinoOptions = {
    level: options.level ?? 'info',
    redact: { paths: REDACT, censor: REDACTED },
    serializers,
    hooks: {
      // Message strings (ours and fastify's, e.g. "Route GET:/x?token=… not found").
      logMethod(args, method) {
        method.apply(
          this,
          args.map((arg) => (typeof arg === 'string' ? redactText(arg) : arg)) as Parameters<typeof method>,
        );
      },
    },
  };
  const destination = options.destination ?? process.stdout;
  if (options.format === 'json') {
    return pino(base, destination === process.stdout ? pino.destination({ dest: 1, sync: true }) : destination);
  }
  // pino-pretty as a synchronous stream (not a worker transport): lines are never lost on exit
  // and the bundled desktop build needs no worker file.
  return pino(
    base,
    pretty({
      destination,
      sync: true,
      singleLine: true,
      colorize: false,
      translateTime: 'SYS:HH:MM:ss.l',
      ignore: 'pid,hostname',
    }),
  );
}

/** A logger that drops everything, for tests and library use. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
