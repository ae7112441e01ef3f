import { systemClock } from '../clock.ts';
import type { LoadedConfig } from '../config/config-file.ts';
import { ScriptRunner } from '../process/script-runner.ts';
import { runChain, type ChainOutcome } from './lifecycle-chain.ts';
import {
  defaultLifecycleConfig,
  handlersFor,
  parseLifecycleConfig,
  type LifecycleConfig,
  type LifecycleHandler,
} from './lifecycle-config.ts';
import { resolveEventName, validatePayload, type LifecycleEventName } from './lifecycle-events.ts';

// Running a chain in the CLI process, without the hub: `hookbox hooks test` always, and
// `hookbox agent-hook` when the hub is not running. Nothing is stored, no webhook or background
// script fires, no notification is raised; the decision is the same the hub would reach.

/** The `[lifecycle]` table of the CLI's config file; webhook secrets are not resolved (never sent here). */
export function localLifecycleConfig(loaded: LoadedConfig, env: NodeJS.ProcessEnv): LifecycleConfig {
  if (loaded.path === null) return defaultLifecycleConfig(null);
  return parseLifecycleConfig(loaded.config.lifecycle, { file: loaded.path, env, resolveSecrets: false });
}

export interface LocalRun extends ChainOutcome {
  event: LifecycleEventName;
  handlers: readonly LifecycleHandler[];
}

export async function runLocalChain(
  config: LifecycleConfig,
  name: string,
  data: unknown,
  env: NodeJS.ProcessEnv,
): Promise<LocalRun> {
  const event = resolveEventName(name);
  return runMappedChain(config, event, validatePayload(event, data), env);
}

/** The same for a payload Hookbox made itself (an agent's call, its input checked by the adapter). */
export async function runMappedChain(
  config: LifecycleConfig,
  event: LifecycleEventName,
  payload: Record<string, unknown>,
  env: NodeJS.ProcessEnv,
): Promise<LocalRun> {
  const handlers = handlersFor(config, event);
  const outcome = await runChain(event, payload, handlers, {
    env,
    at: systemClock.now(),
    clock: systemClock,
    scripts: new ScriptRunner(),
  });
  return { ...outcome, event, handlers };
}
