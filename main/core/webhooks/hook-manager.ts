import type { Logger } from 'pino';
import type { ScriptRunner } from '../process/script-runner.ts';
import type { Clock } from '../clock.ts';
import { ErrorCode, HookboxError } from '../errors.ts';
import { newId } from '../util/ids.ts';
import type { WriteBatcher } from '../db/write-batcher.ts';
import type { CommitHookRunner } from '../db/commit-hooks.ts';
import type { Inbox } from '../inbox/inbox.ts';
import type { DeliveryLedger } from './delivery-ledger.ts';
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
  /** The signature scheme checked before the script runs (never the secret), or null. */
  verify: string | null;
  /** Whether when/when_any filters decide which requests run the script. */
  filtered: boolean;
  state: HookState;
  error: string | null;
  running: number;
  queued: number;
  /** The `hookbox run` holding this hook for its session, if one does (`session` is then its). */
  claim: { id: string; session: string; expires_at: string } | null;
}

export interface ApplyReport {
  started: string[];
  stopped: string[];
  restarted: string[];
  /** Only their session changed (a claim came or went): the listener kept serving. */
  retargeted: string[];
  unchanged: string[];
  failed: Array<{ name: string; error: string }>;
}

/**
 * A `hookbox run --name X --hook A` attached to a running hub: while it lasts, hook A listens
 * (even when disabled in the config) and injects into session X. It lapses unless renewed, so a
 * run that was killed gives its hooks back by itself.
 */
export interface HookClaim {
  id: string;
  session: string;
  hooks: string[];
  expiresAt: number;
}

export const CLAIM_TTL_LIMITS_S = { min: 5, max: 3600, default: 30 };

export interface HookManagerDeps {
  inbox: Inbox;
  runs: HookRunStore;
  /** Delivery ids accepted, for the replay check of the schemes that send one. */
  deliveries: DeliveryLedger;
  writes: WriteBatcher;
  clock: Clock;
  logger: Logger;
  /** Environment every script starts from (HOOK_* variables are added per request). */
  baseEnv: NodeJS.ProcessEnv;
  /** The hub's script runner. */
  scripts: ScriptRunner;
  onRun: (run: Omit<HookRun, 'body'>) => void;
  /** Writes that commit with each hook run (the NATS outbox). */
  commitHooks?: CommitHookRunner<{ hook_run: Omit<HookRun, 'body'> }>;
}

interface Entry {
  /** As it runs: the config file's entry with any claim applied. */
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
  /** The hooks as the config file has them, last applied. */
  #configured: readonly HookConfig[] = [];
  readonly #claims = new Map<string, HookClaim>();
  #expiryTimer: NodeJS.Timeout | undefined;
  /** Applies, claims and releases run one at a time: each starts from where the last one left the listeners. */
  #serial: Promise<unknown> = Promise.resolve();

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

  /** Moves to the config file's hooks `hooks` (claims stay, on top of them). */
  apply(hooks: readonly HookConfig[]): Promise<ApplyReport> {
    return this.#exclusive(() => {
      this.#configured = [...hooks];
      // A claimed hook that left the config leaves its claim too.
      for (const claim of this.#claims.values())
        claim.hooks = claim.hooks.filter((name) => hooks.some((h) => h.name === name));
      return this.#applyRunning(this.#withClaims());
    });
  }

  #exclusive<T>(work: () => Promise<T>): Promise<T> {
    const result = this.#serial.then(work);
    this.#serial = result.catch(() => undefined);
    return result;
  }

  #claimOf(hook: string): HookClaim | undefined {
    for (const claim of this.#claims.values()) if (claim.hooks.includes(hook)) return claim;
    return undefined;
  }

  #withClaims(): HookConfig[] {
    return this.#configured.map((hook) => {
      const claim = this.#claimOf(hook.name);
      return claim ? { ...hook, session: claim.session, enabled: true } : hook;
    });
  }

  /**
   * Claims `hooks` for `session` for `ttlMs` (renewed with renewClaim): they listen and inject
   * there until it is released or lapses. All or nothing: a hook the config lacks, one claimed
   * for another session, or one that cannot listen fails the whole claim and changes nothing.
   */
  claim(session: string, hooks: readonly string[], ttlMs: number): Promise<HookClaim> {
    return this.#exclusive(async () => {
      const names = [...new Set(hooks)];
      const missing = names.filter((name) => !this.#configured.some((h) => h.name === name));
      if (missing.length > 0) {
        const available = this.#configured.map((h) => h.name).join(', ') || 'none';
        throw new HookboxError(ErrorCode.NotFound, `no hook named ${missing.join(', ')} (hooks: ${available})`);
      }
      for (const name of names) {
        const holder = this.#claimOf(name);
        if (holder && holder.session !== session) {
          throw new HookboxError(
            ErrorCode.Conflict,
            `hook ${name} is claimed by a hookbox run for session ${holder.session} (until it stops, or ${new Date(holder.expiresAt).toISOString()} without renewal)`,
          );
        }
      }
      const claim: HookClaim = { id: newId(), session, hooks: names, expiresAt: Date.now() + ttlMs };
      this.#claims.set(claim.id, claim);
      const report = await this.#applyRunning(this.#withClaims());
      const failed = report.failed.filter((f) => names.includes(f.name));
      if (failed.length > 0) {
        this.#claims.delete(claim.id);
        await this.#applyRunning(this.#withClaims());
        throw new HookboxError(ErrorCode.AddressInUse, failed.map((f) => f.error).join('; '));
      }
      this.#scheduleExpiry();
      return claim;
    });
  }

  /** Extends a claim; NotFound when it lapsed or was released (its hooks went back to the config). */
  renewClaim(id: string, ttlMs: number): HookClaim {
    const claim = this.#claims.get(id);
    if (!claim)
      throw new HookboxError(
        ErrorCode.NotFound,
        `no claim ${id}: it was released or lapsed, and its hooks went back to their configured sessions`,
      );
    claim.expiresAt = Date.now() + ttlMs;
    this.#scheduleExpiry();
    return claim;
  }

  /** Gives the claim's hooks back to their configured sessions (and stops those disabled there). */
  releaseClaim(id: string): Promise<ApplyReport> {
    return this.#exclusive(async () => {
      if (!this.#claims.delete(id))
        throw new HookboxError(ErrorCode.NotFound, `no claim ${id}: it was released or lapsed`);
      this.#scheduleExpiry();
      return this.#applyRunning(this.#withClaims());
    });
  }

  #scheduleExpiry(): void {
    clearTimeout(this.#expiryTimer);
    this.#expiryTimer = undefined;
    if (this.#claims.size === 0) return;
    const next = Math.min(...[...this.#claims.values()].map((c) => c.expiresAt));
    this.#expiryTimer = setTimeout(() => void this.#expire(), Math.max(0, next - Date.now()) + 10);
    this.#expiryTimer.unref();
  }

  async #expire(): Promise<void> {
    const now = Date.now();
    const lapsed = [...this.#claims.values()].filter((c) => c.expiresAt <= now);
    for (const claim of lapsed) {
      this.#deps.logger.warn(
        { claim: claim.id, session: claim.session, hooks: claim.hooks },
        `claim of ${claim.hooks.join(', ')} for session ${claim.session} lapsed (its hookbox run stopped renewing it); the hooks go back to their configured sessions`,
      );
      await this.releaseClaim(claim.id).catch(() => undefined);
    }
    this.#scheduleExpiry();
  }

  async #applyRunning(hooks: readonly HookConfig[]): Promise<ApplyReport> {
    const report: ApplyReport = { started: [], stopped: [], restarted: [], retargeted: [], unchanged: [], failed: [] };
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
      if (
        current?.listener &&
        hook.enabled &&
        sameHook({ ...current.config, session: hook.session, enabled: true }, hook)
      ) {
        // Only the session moved: the listener keeps its socket, new requests go to the new session.
        current.listener.dispatcher.retarget(hook);
        this.#entries.set(hook.name, { ...current, config: hook });
        this.#deps.logger.info(
          { hook: hook.name, session: hook.session },
          `hook ${hook.name} → session ${hook.session}`,
        );
        report.retargeted.push(hook.name);
        continue;
      }
      // A listener on the very same address must go first; otherwise the new one starts first and
      // the old keeps serving if the new cannot listen (a changed bind already in use, say).
      const sameAddress =
        current?.listener !== undefined &&
        current.config.host === hook.host &&
        current.config.port === hook.port &&
        hook.port !== 0;
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
          this.#deps.logger.error(
            { hook: hook.name },
            current?.listener ? `${message}; the previous configuration of hook ${hook.name} keeps serving` : message,
          );
          this.#entries.set(
            hook.name,
            current?.listener ? { ...current, error: message } : { config: hook, listener: undefined, error: message },
          );
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
    this.#deps.logger.info(
      { hook: hook.name, bind: hook.bind, port: listener.port, session: hook.session },
      `hook ${hook.name} listening on ${hook.host}:${listener.port} → session ${hook.session}`,
    );
    return listener;
  }

  status(): HookStatus[] {
    return [...this.#entries.values()].map(({ config, listener, error }) => ({
      ...this.#claimStatus(config.name),
      name: config.name,
      bind: config.bind,
      port: listener ? listener.port : null,
      session: config.session,
      script: config.scriptPath,
      timeout_s: config.timeoutMs / 1000,
      verify: config.verify ?? null,
      filtered: config.filter !== undefined,
      state: !config.enabled ? 'disabled' : listener ? 'listening' : 'error',
      error,
      running: listener?.dispatcher.limit.active ?? 0,
      queued: listener?.dispatcher.limit.queued ?? 0,
    }));
  }

  #claimStatus(hook: string): Pick<HookStatus, 'claim'> {
    const claim = this.#claimOf(hook);
    return {
      claim: claim
        ? { id: claim.id, session: claim.session, expires_at: new Date(claim.expiresAt).toISOString() }
        : null,
    };
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
    clearTimeout(this.#expiryTimer);
    this.#claims.clear();
    await Promise.all([...this.#entries.values()].map((entry) => entry.listener?.stop()));
    this.#entries.clear();
  }
}
