import { resolve } from 'node:path';
import { defaultPaths } from '../core/config/paths.ts';
import { loadConfigFile, type LoadedConfig } from '../core/config/config-file.ts';
import { resolveSettings, type Settings } from '../core/config/settings.ts';

/** Flags every command understands. */
export interface GlobalFlags {
  config?: string;
  dataDir?: string;
}

export interface CliContext {
  dataDir: string;
  /** The config file path that was looked for. */
  configPath: string;
  config: LoadedConfig;
  settings: Settings;
}

/** Paths, config file and settings for a command: flags over environment over defaults. */
export function loadCliContext(
  flags: GlobalFlags,
  overrides: { port?: number } = {},
  env: NodeJS.ProcessEnv = process.env,
): CliContext {
  const defaults = defaultPaths(env);
  const configPath = resolve(flags.config ?? defaults.configFile);
  const explicit = flags.config !== undefined || env.HOOKBOX_CONFIG !== undefined;
  const config = loadConfigFile(configPath, { explicit });
  const settings = resolveSettings({ env, config: config.config, overrides });
  return { dataDir: resolve(flags.dataDir ?? defaults.dataDir), configPath, config, settings };
}
