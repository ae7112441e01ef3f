import { join } from 'node:path';
import envPaths from 'env-paths';

export interface HookboxPaths {
  dataDir: string;
  configFile: string;
}

// XDG data and config homes on Linux (respecting XDG_DATA_HOME / XDG_CONFIG_HOME), the
// platform's usual folders elsewhere. HOOKBOX_DATA_DIR / HOOKBOX_CONFIG override both.
export function defaultPaths(env: NodeJS.ProcessEnv = process.env): HookboxPaths {
  const paths = envPaths('hookbox', { suffix: '' });
  return {
    dataDir: env.HOOKBOX_DATA_DIR || paths.data,
    configFile: env.HOOKBOX_CONFIG || join(paths.config, 'config.toml'),
  };
}

export function databaseFile(dataDir: string): string {
  return join(dataDir, 'hookbox.db');
}
