import { ErrorCode, HookboxError } from '../core/errors.ts';
import type { ApiReply, ApiRoute, CallOptions } from '../core/http/api-routes.ts';
import { readControlToken } from '../core/security/control-token.ts';
import { SERVICE_NAME } from '../core/version.ts';
import type { ApiOperations, OperationName } from '../shared/api-contract.ts';
import { loadCliContext, type GlobalFlags } from './cli-context.ts';

export interface ApiClientFlags extends GlobalFlags {
  port?: number;
}

/**
 * Talks to the running hub's local API the way `hookbox serve` was configured (same flags,
 * environment and config file), with the control token from the data dir.
 */
export class ApiClient {
  readonly baseUrl: string;
  /** Where the control token was looked for. */
  readonly dataDir: string;
  /** The control token of that data dir, if it has one (read again when the hub refuses it). */
  token: string | undefined;

  constructor(flags: ApiClientFlags) {
    const ctx = loadCliContext(flags, flags.port !== undefined ? { port: flags.port } : {});
    this.baseUrl = `http://${ctx.settings.api.host}:${ctx.settings.api.port}`;
    this.dataDir = ctx.dataDir;
    this.token = readControlToken(ctx.dataDir);
  }

  /** Whether a Hookbox answers on this address (nothing else: any other server is "no"). */
  async isHookboxRunning(): Promise<boolean> {
    try {
      const response = await fetch(`${this.baseUrl}/health`, { signal: AbortSignal.timeout(1_000) });
      const health = (await response.json()) as { service?: unknown };
      return response.ok && health.service === SERVICE_NAME;
    } catch {
      return false;
    }
  }

  /**
   * One route of the local API (http/api-routes.ts): path parameters are filled in and encoded,
   * the query and body are the route's own types, and so is the reply. A refusal throws the
   * hub's error (replyError). `signal` aborts the request (the caller is stopping); it then
   * rejects with the abort reason.
   */
  async call<R extends ApiRoute>(route: R, options: CallOptions<R>): Promise<ApiReply<R>> {
    const [method, pattern] = route.split(' ') as [string, string];
    const given = options as { params?: Record<string, string>; query?: object; body?: unknown; signal?: AbortSignal };
    const path = pattern.replace(/:(\w+)/g, (_, name: string) => encodeURIComponent(given.params?.[name] ?? ''));
    const query = new URLSearchParams();
    for (const [key, value] of Object.entries(given.query ?? {})) {
      if (value !== undefined) query.set(key, String(value));
    }
    const search = query.size > 0 ? `?${query}` : '';
    return (await this.#request(method, `${path}${search}`, given.body, given.signal)) as ApiReply<R>;
  }

  /** One of the window's operations (POST /app/rpc/{operation}), typed by the contract. */
  async rpc<K extends OperationName>(
    operation: K,
    request: ApiOperations[K]['request'],
  ): Promise<ApiOperations[K]['response']> {
    return (await this.#request('POST', `/app/rpc/${operation}`, request)).json as ApiOperations[K]['response'];
  }

  async #request(method: string, path: string, body?: unknown, signal?: AbortSignal) {
    let reply = await this.#send(method, path, body, signal);
    if (reply.status === 401) {
      // A hub started after this client (a long-lived `hookbox mcp`) may have made the token since.
      const token = readControlToken(this.dataDir);
      if (token !== this.token) {
        this.token = token;
        reply = await this.#send(method, path, body, signal);
      }
    }
    const { status, json } = reply;
    if (status === 401 && !this.token) {
      throw new HookboxError(
        ErrorCode.Unauthorized,
        'no control token found in the data dir; is this the data dir hookbox serve uses (--data-dir)?',
      );
    }
    if (status >= 400) throw replyError(status, json);
    return { status, json };
  }

  async #send(
    method: string,
    path: string,
    body?: unknown,
    signal?: AbortSignal,
  ): Promise<{ status: number; json: unknown }> {
    let response: Response;
    try {
      response = await fetch(`${this.baseUrl}${path}`, {
        method,
        headers: {
          ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
          ...(this.token ? { authorization: `Bearer ${this.token}` } : {}),
        },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
        signal: signal ? AbortSignal.any([signal, AbortSignal.timeout(30_000)]) : AbortSignal.timeout(30_000),
      });
    } catch (error) {
      if (signal?.aborted) throw signal.reason;
      const code = (error as { cause?: { code?: string } }).cause?.code;
      if (code === 'ECONNREFUSED') {
        throw new HookboxError(
          ErrorCode.NotRunning,
          `Hookbox is not running (nothing answers on ${this.baseUrl}); start it with: hookbox serve`,
        );
      }
      throw new HookboxError(
        ErrorCode.NotRunning,
        `cannot reach Hookbox at ${this.baseUrl}: ${code ?? (error as Error).message}`,
      );
    }
    const text = await response.text();
    // No content (204: no message came within the wait) is null.
    return { status: response.status, json: text ? JSON.parse(text) : null };
  }
}

const ERROR_CODES = new Set<string>(Object.values(ErrorCode));

/**
 * The one place a refused request becomes an error: the hub's own code from its
 * `{error, message}` body when it is one of ours, else what the status means.
 */
export function replyError(status: number, body: unknown): HookboxError {
  const { error, message } = (body ?? {}) as { error?: unknown; message?: unknown };
  const byStatus = status === 404 ? ErrorCode.NotFound : status === 409 ? ErrorCode.Conflict : ErrorCode.InvalidInput;
  const code = typeof error === 'string' && ERROR_CODES.has(error) ? (error as ErrorCode) : byStatus;
  return new HookboxError(code, typeof message === 'string' ? message : `HTTP ${status}`);
}
