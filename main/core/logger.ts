import { pino, type Logger } from 'pino';
import pretty from 'pino-pretty';

export type { Logger } from 'pino';

export interface LoggerOptions {
  /** AGENTD_LOG_FORMAT: 'text' is one readable line per record, 'json' is one JSON object per line. */
  format: 'text' | 'json';
  level?: string;
  /** Defaults to stdout. */
  destination?: NodeJS.WritableStream;
}

// Paths whose values are secrets wherever they appear in a log record.
const REDACT = ['req.headers.authorization', 'req.headers["x-hookbox-token"]', 'token', 'secret', '*.token', '*.secret'];

export function createLogger(options: LoggerOptions): Logger {
  const base = { level: options.level ?? 'info', redact: { paths: REDACT, censor: '[redacted]' } };
  const destination = options.destination ?? process.stdout;
  if (options.format === 'json') {
    return pino(base, destination === process.stdout ? pino.destination({ dest: 1, sync: true }) : destination);
  }
  // pino-pretty as a synchronous stream (not a worker transport): lines are never lost on exit
  // and the bundled desktop build needs no worker file.
  return pino(base, pretty({ destination, sync: true, singleLine: true, colorize: false, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname' }));
}

/** A logger that drops everything, for tests and library use. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
