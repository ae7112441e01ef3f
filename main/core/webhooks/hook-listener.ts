import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { once } from 'node:events';
import type { AddressInfo, Socket } from 'node:net';
import type { Logger } from 'pino';
import { ErrorCode, HookboxError } from '../errors.ts';
import { answerClientError, type ClientError } from '../http/client-error.ts';
import type { HookDispatcher, HookRequest, HookResponse } from './hook-dispatcher.ts';

/** Reads the body up to `limit` bytes; beyond it stops collecting and reports it. */
function readBody(req: IncomingMessage, limit: number): Promise<{ body: Buffer; tooLarge: boolean }> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) tooLarge = true;
      else chunks.push(chunk);
    });
    // A sender's body usually arrives in one chunk: no copy then.
    req.on('end', () => resolve({ body: chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks), tooLarge }));
    req.on('error', reject);
  });
}

/**
 * The request's headers, one string each. Node already joins repeated headers into one string,
 * except Set-Cookie (an array): only a request carrying that one needs a copy.
 */
function flatHeaders(req: IncomingMessage): Record<string, string> {
  const headers = req.headers;
  if (headers['set-cookie'] === undefined) return headers as Record<string, string>;
  const flat: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined) flat[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return flat;
}

/** A request target's path and query, as the URL parser normalizes them; undefined when malformed. */
interface Target {
  path: string;
  query: string;
}

function parseTarget(raw: string): Target | undefined {
  const url = URL.parse(raw, 'http://hook.invalid');
  return url ? { path: url.pathname, query: url.search.replace(/^\?/, '') } : undefined;
}

function send(res: ServerResponse, response: HookResponse): void {
  res.statusCode = response.status;
  res.setHeader('x-hookbox-run', response.runId);
  if (response.headers) for (const name in response.headers) res.setHeader(name, response.headers[name]!);
  if (response.body && response.status !== 204) {
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify(response.body));
  } else res.end();
}

/**
 * One hook's HTTP listener on its own bind address. Any path is accepted (it reaches the script
 * as HOOK_PATH); this is a server for outside systems, so it does none of the local API's
 * Host/Origin checks — a `secret` is how a hook authenticates its callers.
 */
export class HookListener {
  readonly dispatcher: HookDispatcher;
  readonly #server: Server;
  readonly #logger: Logger;
  readonly #inFlight = new Set<Promise<void>>();
  /**
   * The last request target and its parts: a sender posts to the same URL again and again, so
   * the URL parser runs once per distinct target rather than once per request.
   */
  #lastTarget: { raw: string; target: Target } | undefined;

  constructor(dispatcher: HookDispatcher, logger: Logger) {
    this.dispatcher = dispatcher;
    this.#logger = logger;
    // A missing Host is answered below in JSON rather than by Node with an empty 400.
    this.#server = createServer({ requireHostHeader: false }, (req, res) => {
      const task = this.#handle(req, res).finally(() => this.#inFlight.delete(task));
      this.#inFlight.add(task);
    });
    this.#server.keepAliveTimeout = 5_000;
    // Senders' delivery logs show our answer: malformed requests get JSON like every other one.
    this.#server.on('clientError', (error: ClientError, socket: Socket) =>
      answerClientError(error, socket, ({ message }) => ({ ok: false, error: message })),
    );
  }

  get port(): number {
    const address = this.#server.address() as AddressInfo | null;
    return address?.port ?? this.dispatcher.hook.port;
  }

  async start(): Promise<void> {
    const { host, port, name, bind } = this.dispatcher.hook;
    this.#server.listen(port, host);
    try {
      await Promise.race([
        once(this.#server, 'listening'),
        once(this.#server, 'error').then(([error]) => Promise.reject(error)),
      ]);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      const reason =
        code === 'EADDRINUSE'
          ? 'address already in use'
          : code === 'EADDRNOTAVAIL'
            ? 'address not available on this machine'
            : code === 'EACCES'
              ? 'permission denied (ports below 1024 need privileges)'
              : (error as Error).message;
      throw new HookboxError(ErrorCode.AddressInUse, `hook '${name}': cannot listen on ${bind}: ${reason}`);
    }
  }

  /** Stops accepting; requests in flight (and their scripts) finish first. */
  async stop(): Promise<void> {
    if (!this.#server.listening) return;
    const closed = new Promise<void>((resolve) => this.#server.close(() => resolve()));
    const sweep = setInterval(() => this.#server.closeIdleConnections(), 50);
    this.#server.closeIdleConnections();
    await Promise.allSettled([...this.#inFlight]);
    await closed;
    clearInterval(sweep);
  }

  /** Sends a request through this hook as if it had arrived over HTTP (replay). */
  dispatch(request: HookRequest): Promise<HookResponse> {
    return this.dispatcher.handle(request);
  }

  #target(raw: string): Target | undefined {
    const last = this.#lastTarget;
    if (last?.raw === raw) return last.target;
    const target = parseTarget(raw);
    if (target) this.#lastTarget = { raw, target };
    return target;
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const target = this.#target(req.url ?? '/');
    const refusal = !target
      ? 'malformed request target'
      : req.httpVersion === '1.1' && req.headers.host === undefined
        ? 'the request has no Host header (HTTP/1.1 requires one)'
        : undefined;
    if (!target || refusal) {
      res.statusCode = 400;
      res.setHeader('content-type', 'application/json');
      res.setHeader('connection', 'close');
      res.end(JSON.stringify({ ok: false, error: refusal }));
      return;
    }
    try {
      const { body, tooLarge } = await readBody(req, this.dispatcher.hook.maxBodyBytes);
      const request: HookRequest = {
        method: req.method ?? 'GET',
        path: target.path,
        query: target.query,
        headers: flatHeaders(req),
        body,
        bodyTooLarge: tooLarge,
        sourceAddress: req.socket.remoteAddress ?? '',
      };
      const response = await this.dispatcher.handle(request);
      if (tooLarge) res.setHeader('connection', 'close');
      send(res, response);
    } catch (error) {
      res.statusCode = 500;
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ ok: false, error: 'internal error; see the Hookbox log' }));
      this.#logger.error(
        { err: error, hook: this.dispatcher.hook.name },
        `hook ${this.dispatcher.hook.name}: request failed`,
      );
    }
  }
}
