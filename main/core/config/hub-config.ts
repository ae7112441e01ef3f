import { ErrorCode, HookboxError } from '../errors.ts';
import { defaultLifecycleConfig, parseLifecycleConfig, type LifecycleConfig } from '../lifecycle/lifecycle-config.ts';
import { validateHooks, type HookConfig } from '../webhooks/hook-config.ts';
import { parseNatsConfig, type NatsConfig } from '../nats/nats-config.ts';
import { loadConfigFile, type ConfigFile } from './config-file.ts';

/** Which hooks run: all enabled ones (serve), or the ones `hookbox run --hook` names. */
export interface HookSelection {
  names?: readonly string[];
  /** `run --name X`: the selected hooks inject into this session. */
  session?: string;
}

export interface SessionConfig {
  name: string;
  deliverCommand: string[] | undefined;
  deliverTimeoutMs: number;
}

/** The parts of the config file the hub applies live (and re-applies on every valid edit). */
export interface HubConfig {
  hooks: HookConfig[];
  sessions: SessionConfig[];
  lifecycle: LifecycleConfig;
  /** [nats]; applied at start (a change needs a restart). */
  nats: NatsConfig | null;
}

export function hubConfigFrom(
  config: ConfigFile,
  file: string,
  env: NodeJS.ProcessEnv,
  selection: HookSelection = {},
): HubConfig {
  let hooks = validateHooks(config.hooks ?? [], { file, env });
  if (selection.names && selection.names.length > 0) {
    const known = new Map(hooks.map((h) => [h.name, h]));
    const missing = selection.names.filter((name) => !known.has(name));
    if (missing.length > 0) {
      const available = hooks.map((h) => h.name).join(', ') || 'none';
      throw new HookboxError(
        ErrorCode.InvalidConfig,
        `${file}: no hook named ${missing.map((m) => `'${m}'`).join(', ')} (hooks in the file: ${available})`,
      );
    }
    // Naming a hook activates it, as Octomind's --hook does.
    hooks = selection.names.map((name) => ({ ...known.get(name)!, enabled: true }));
  }
  if (selection.session) hooks = hooks.map((h) => ({ ...h, session: selection.session! }));
  const sessions = (config.sessions ?? []).map((s) => ({
    name: s.name,
    deliverCommand: s.deliver_command,
    deliverTimeoutMs: (s.deliver_timeout ?? 30) * 1000,
  }));
  const lifecycle = {
    ...parseLifecycleConfig(config.lifecycle, { file, env, resolveSecrets: true }),
    claudeInbox: config.claude?.inbox ?? null,
  };
  return { hooks, sessions, lifecycle, nats: parseNatsConfig(config.nats, { file, env }) };
}

/** Reads and validates the file; a missing default file means no hooks. */
export function loadHubConfig(path: string | null, env: NodeJS.ProcessEnv, selection: HookSelection = {}): HubConfig {
  if (path === null) {
    if (selection.names && selection.names.length > 0)
      throw new HookboxError(ErrorCode.InvalidConfig, `no config file: cannot activate hook '${selection.names[0]}'`);
    return { hooks: [], sessions: [], lifecycle: defaultLifecycleConfig(null), nats: null };
  }
  const loaded = loadConfigFile(path, { explicit: true });
  return hubConfigFrom(loaded.config, path, env, selection);
}
