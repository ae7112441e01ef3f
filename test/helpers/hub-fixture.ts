import { after } from 'node:test';
import type { Clock } from '../../main/core/clock.ts';
import { resolveSettings, type Settings } from '../../main/core/config/settings.ts';
import { createHub, type Hub, type HubOptions } from '../../main/core/hub.ts';
import type { HubAddress } from '../../main/core/hub-types.ts';
import { silentLogger, type Logger } from '../../main/core/logger.ts';
import type { DesktopNotification, Notifier } from '../../main/core/notify/notifier.ts';
import { tempDir } from './temp-dir.ts';

/** A notifier that keeps what it was asked to show (the desktop is the boundary we fake here). */
export class RecordingNotifier implements Notifier {
  readonly channel = 'test';
  readonly shown: DesktopNotification[] = [];
  failWith: string | undefined;

  async notify(n: DesktopNotification): Promise<void> {
    if (this.failWith) throw new Error(this.failWith);
    this.shown.push(n);
  }
}

export interface RunningHub {
  hub: Hub;
  address: HubAddress;
  url: string;
  dataDir: string;
  notifier: RecordingNotifier;
  settings: Settings;
}

/** A real hub on 127.0.0.1 port 0 with a real SQLite file in a temp dir; stopped after the file. */
export async function startHub(
  options: {
    env?: NodeJS.ProcessEnv;
    dataDir?: string;
    clock?: Clock;
    edit?: (s: Settings) => void;
    configFile?: string;
    hookSelection?: HubOptions['hookSelection'];
    logger?: Logger;
    /** As `hookbox serve` passes it: how agents' configs start this hookbox. */
    launcher?: string[];
    /** A real desktop notifier instead of the recording one (whose `shown` then stays empty). */
    desktop?: Notifier;

    /** The desktop's idle time, as the Electron shell passes it. */
    idleMs?: () => number | null;
  } = {},
): Promise<RunningHub> {
  const dataDir = options.dataDir ?? tempDir();
  const settings = resolveSettings({ env: options.env ?? {}, overrides: { port: 0 } });
  options.edit?.(settings);
  const notifier = new RecordingNotifier();
  const hub = createHub({
    dataDir,
    settings,
    configFile: options.configFile ?? null,
    notifier: options.desktop ?? notifier,
    logger: options.logger ?? silentLogger(),
    env: { ...process.env, ...options.env },
    ...(options.clock ? { clock: options.clock } : {}),
    ...(options.hookSelection ? { hookSelection: options.hookSelection } : {}),
    ...(options.launcher ? { launcher: options.launcher } : {}),
    ...(options.idleMs ? { idleMs: options.idleMs } : {}),
  });
  const address = await hub.start();
  after(() => hub.stop());
  return { hub, address, url: address.url, dataDir, notifier, settings };
}

/** Resolves when the hub has raised `count` notifications (they are sent after the response). */
export function waitForNotifications(hub: Hub, count: number, timeoutMs = 30_000): Promise<void> {
  return new Promise((resolve, reject) => {
    let seen = 0;
    const timer = setTimeout(
      () => reject(new Error(`only ${seen} of ${count} notifications within ${timeoutMs} ms`)),
      timeoutMs,
    );
    hub.events.on('notification', () => {
      seen += 1;
      if (seen >= count) {
        clearTimeout(timer);
        resolve();
      }
    });
  });
}

export async function postEvent(
  url: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number; json: any }> {
  const response = await fetch(`${url}/events`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: response.status, json: await response.json() };
}
