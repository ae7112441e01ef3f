import type { Logger } from 'pino';
import type { Clock } from '../clock.ts';
import type { WriteBatcher } from '../db/write-batcher.ts';
import type { Inbox } from '../inbox/inbox.ts';
import { sameHook, type HookConfig } from './hook-config.ts';
import { HookDispatcher, type HookRequest, type HookResponse } from './hook-dispatcher.ts';
import { HookListener } from './hook-listener.ts';
import type { HookRun, HookRunStore } from './hook-run-store.ts';

export type HookState = 'listening' | 'error' | 'disabled';

export interface HookStatus {
  name: string;
  bind: string;
  /** The port actually bound (differs from bind for port 0). */
  port: number | null;
  session: string;
  script: string;
  timeout_s: number;
  state: HookState;
  error: string | null;
  running: number;
  queued: number;
}

export interface ApplyReport {
  started: string[];
  stopped: string[];
  restarted: string[];
  unchanged: string[];
  failed: Array<{ name: string; error: string }>;
}

export interface HookManagerDeps {
  inbox: Inbox;
  runs: HookRunStore;
  writes: WriteBatcher;
  clock: Clock;
  logger: Logger;
  /** Environment every script starts from (HOOK_* variables are added per request). */
  baseEnv: NodeJS.ProcessEnv;
  onRun: (run: Omit<HookRun, 'body'>) => void;
}

interface Entry {
  config: HookConfig;
  listener: HookListener | undefined;
  error: string | null;
}

/**
 * Keeps one listener per active hook. `apply` moves from the running set to a new one touching
 * only what changed: new hooks start, removed ones stop, changed ones restart, the rest keep
 * serving without a blip.
 */
export class HookManager {
  readonly #entries = new Map<string, Entry>();
  readonly #deps: HookManagerDeps;

  constructor(deps: HookManagerDeps) {
    // One plain copy for every hook, made once: spreading process.env reads each variable through
    // libc, and the script spawner is sent this object once and then knows it by identity.
    this.#deps = { ...deps, baseEnv: { ...deps.baseEnv } };
  }

  /** Starts every hook; the first that cannot listen stops the others and throws (start-up). */
  async startAll(hooks: readonly HookConfig[]): Promise<void> {
    const report = await this.apply(hooks);
    if (report.failed.length > 0) {
      await this.stopAll();
      throw new Error(report.failed[0]!.error);
    }
  }

  async apply(hooks: readonly HookConfig[]): Promise<ApplyReport> {
    const report: ApplyReport = { started: [], stopped: [], restarted: [], unchanged: [], failed: [] };
    const wanted = new Set(hooks.map((h) => h.name));
    for (const [name, entry] of this.#entries) {
      if (wanted.has(name)) continue;
      await entry.listener?.stop();
      this.#entries.delete(name);
      report.stopped.push(name);
    }

    for (const hook of hooks) {
      const current = this.#entries.get(hook.name);
      if (current && sameHook(current.config, hook) && (current.listener || !hook.enabled)) {
        report.unchanged.push(hook.name);
        continue;
      }
      // A listener on the very same address must go first; otherwise the new one starts first and
      // the old keeps serving if the new cannot listen (a changed bind already in use, say).
      const sameAddress = current?.listener !== undefined && current.config.host === hook.host && current.config.port === hook.port && hook.port !== 0;
      if (current?.listener && (sameAddress || !hook.enabled)) {
        await current.listener.stop();
        current.listener = undefined;
      }
      let listener: HookListener | undefined;
      if (hook.enabled) {
        try {
          listener = await this.#listen(hook);
        } catch (error) {
          const message = (error as Error).message;
          report.failed.push({ name: hook.name, error: message });
          this.#deps.logger.error({ hook: hook.name }, current?.listener ? `${message}; the previous configuration of hook ${hook.name} keeps serving` : message);
          this.#entries.set(hook.name, current?.listener ? { ...current, error: message } : { config: hook, listener: undefined, error: message });
          continue;
        }
      }
      await current?.listener?.stop();
      this.#entries.set(hook.name, { config: hook, listener, error: null });
      (current ? report.restarted : report.started).push(hook.name);
    }
    return report;
  }

  async #listen(hook: HookConfig): Promise<HookListener> {
    const listener = new HookListener(new HookDispatcher({ hook, ...this.#deps }), this.#deps.logger);
    await listener.start();
    this.#deps.logger.info({ hook: hook.name, bind: hook.bind, port: listener.port, session: hook.session }, `hook ${hook.name} listening on ${hook.host}:${listener.port} → session ${hook.session}`);
    return listener;
  }

  status(): HookStatus[] {
    return [...this.#entries.values()].map(({ config, listener, error }) => ({
      name: config.name,
      bind: config.bind,
      port: listener ? listener.port : null,
      session: config.session,
      script: config.scriptPath,
      timeout_s: config.timeoutMs / 1000,
      state: !config.enabled ? 'disabled' : listener ? 'listening' : 'error',
      error,
      running: listener?.dispatcher.limit.active ?? 0,
      queued: listener?.dispatcher.limit.queued ?? 0,
    }));
  }

  /** Where a hook listens (its bound port once listening). */
  target(name: string): { host: string; port: number } | undefined {
    const entry = this.#entries.get(name);
    return entry ? { host: entry.config.host, port: entry.listener?.port ?? entry.config.port } : undefined;
  }

  /** Sends a recorded request through a hook again (replay). */
  replay(hookName: string, request: HookRequest): Promise<HookResponse> | undefined {
    return this.#entries.get(hookName)?.listener?.dispatch(request);
  }

  async stopAll(): Promise<void> {
    await Promise.all([...this.#entries.values()].map((entry) => entry.listener?.stop()));
    this.#entries.clear();
  }
}
