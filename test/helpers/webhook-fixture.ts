import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Hub } from '../../main/core/hub.ts';
import { startHub, type RunningHub } from './hub-fixture.ts';
import { tempDir } from './temp-dir.ts';

/** Writes an executable script into `dir`. */
export function writeScript(dir: string, name: string, body: string): string {
  const path = join(dir, name);
  writeFileSync(path, body);
  chmodSync(path, 0o755);
  return path;
}

export interface WebhookHub extends RunningHub {
  dir: string;
  configFile: string;
  /** The port a hook is listening on. */
  hookUrl: (name: string) => string;
  /** Authorised request to the local API. */
  api: (path: string, init?: RequestInit) => Promise<Response>;
}

/** A real hub whose config file (in a temp dir, scripts beside it) declares the given hooks. */
export async function startWebhookHub(
  configToml: string,
  options: { env?: NodeJS.ProcessEnv; dir?: string; hookSelection?: { names?: string[]; session?: string } } = {},
): Promise<WebhookHub> {
  const dir = options.dir ?? tempDir();
  const configFile = join(dir, 'config.toml');
  writeFileSync(configFile, configToml);
  const running = await startHub({
    configFile,
    ...(options.env ? { env: options.env } : {}),
    ...(options.hookSelection ? { hookSelection: options.hookSelection } : {}),
  });
  return {
    ...running,
    dir,
    configFile,
    hookUrl: (name) => hookUrl(running.hub, name),
    api: (path, init = {}) =>
      fetch(`${running.url}${path}`, {
        ...init,
        headers: {
          authorization: `Bearer ${running.hub.controlToken}`,
          'content-type': 'application/json',
          ...(init.headers ?? {}),
        },
      }),
  };
}

export function hookUrl(hub: Hub, name: string): string {
  const hook = hub.hooks.status().find((h) => h.name === name);
  if (!hook || hook.port === null) throw new Error(`hook ${name} is not listening: ${JSON.stringify(hook)}`);
  return `http://127.0.0.1:${hook.port}`;
}

/** An Octomind [[hooks]] entry on a free loopback port. */
export function hookToml(name: string, script: string, extra = ''): string {
  return `[[hooks]]\nname = "${name}"\nbind = "127.0.0.1:0"\nscript = "${script}"\n${extra}\n`;
}
