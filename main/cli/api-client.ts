import { ErrorCode, HookboxError } from '../core/errors.ts';
import { readControlToken } from '../core/security/control-token.ts';
import { SERVICE_NAME } from '../core/version.ts';
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

  /** `signal` aborts the request (the caller is stopping); it then rejects with the abort reason. */
  async request<T>(
    method: string,
    path: string,
    body?: unknown,
    signal?: AbortSignal,
  ): Promise<{ status: number; json: T }> {
    let reply = await this.#send<T>(method, path, body, signal);
    if (reply.status === 401) {
      // A hub started after this client (a long-lived `hookbox mcp`) may have made the token since.
      const token = readControlToken(this.dataDir);
      if (token !== this.token) {
        this.token = token;
        reply = await this.#send<T>(method, path, body, signal);
      }
    }
    const { status, json } = reply;
    if (status === 401 && !this.token) {
      throw new HookboxError(
        ErrorCode.Unauthorized,
        'no control token found in the data dir; is this the data dir hookbox serve uses (--data-dir)?',
      );
    }
    if (status >= 400) {
      const code = status === 404 ? ErrorCode.NotFound : status === 409 ? ErrorCode.Conflict : ErrorCode.InvalidInput;
      throw new HookboxError(code, json.message ?? `HTTP ${status}`);
    }
    return { status, json };
  }

  async #send<T>(
    method: string,
    path: string,
    body?: unknown,
    signal?: AbortSignal,
  ): Promise<{ status: number; json: T & { message?: string } }> {
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
    return { status: response.status, json: (text ? JSON.parse(text) : {}) as T & { message?: string } };
  }
}
