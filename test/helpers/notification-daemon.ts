import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after } from 'node:test';
import { findOnPath } from '../../main/core/notify/libnotify-notifier.ts';
import { tempDir } from './temp-dir.ts';

export interface ShownNotification {
  appname: string;
  summary: string;
  body: string;
  urgency: string;
}

export interface NotificationDaemon {
  /** Environment in which notify-send reaches this daemon. */
  env: NodeJS.ProcessEnv;
  /** What the daemon has displayed so far. */
  shown: () => ShownNotification[];
}

export const DESKTOP_TOOLS = ['dbus-daemon', 'Xvfb', 'dunst', 'notify-send'];
export const missingDesktopTools = (): string[] => DESKTOP_TOOLS.filter((tool) => !findOnPath(tool));

function waitFor(check: () => boolean, what: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  return new Promise((resolve, reject) => {
    const tick = () => {
      if (check()) return resolve();
      if (Date.now() > deadline) return reject(new Error(`timed out waiting for ${what}`));
      setTimeout(tick, 50);
    };
    tick();
  });
}

/**
 * A real desktop notification stack of our own: a private D-Bus session bus, a virtual X display
 * and dunst, whose rule script appends every notification it displays to a file.
 */
export async function startNotificationDaemon(): Promise<NotificationDaemon> {
  const dir = tempDir('hookbox-dunst-');
  const children: ChildProcess[] = [];
  after(() => {
    for (const child of children.reverse()) child.kill('SIGTERM');
  });

  const bus = spawn(
    'dbus-daemon',
    ['--session', '--nofork', '--print-address=1', `--address=unix:path=${join(dir, 'bus')}`],
    { stdio: ['ignore', 'pipe', 'ignore'] },
  );
  children.push(bus);
  let address = '';
  bus.stdout.on('data', (c: Buffer) => (address += c.toString()));
  await waitFor(() => address.includes('\n'), 'the session bus');

  const display = `:${90 + (process.pid % 400)}`;
  const xvfb = spawn('Xvfb', [display, '-screen', '0', '800x600x24', '-nolisten', 'tcp'], { stdio: 'ignore' });
  children.push(xvfb);
  await waitFor(() => existsSync(`/tmp/.X11-unix/X${display.slice(1)}`), 'the X display');

  const log = join(dir, 'shown.jsonl');
  const recorder = join(dir, 'record.sh');
  // dunst runs a rule's script with: appname summary body icon urgency
  writeFileSync(
    recorder,
    `#!/bin/sh\nprintf '%s\\t%s\\t%s\\t%s\\n' "$1" "$2" "$(printf '%s' "$3" | tr '\\n\\t' '  ')" "$5" >> '${log}'\n`,
  );
  chmodSync(recorder, 0o755);
  const config = join(dir, 'dunstrc');
  writeFileSync(config, `[global]\nfont = Monospace 8\n[record]\nsummary = "*"\nscript = ${recorder}\n`);

  const env = { ...process.env, DISPLAY: display, DBUS_SESSION_BUS_ADDRESS: address.trim() };
  const dunst = spawn('dunst', ['-config', config], { env, stdio: 'ignore' });
  children.push(dunst);
  await waitFor(
    () =>
      spawnSync(
        'dbus-send',
        [
          '--session',
          '--dest=org.freedesktop.DBus',
          '--type=method_call',
          '--print-reply',
          '/org/freedesktop/DBus',
          'org.freedesktop.DBus.NameHasOwner',
          'string:org.freedesktop.Notifications',
        ],
        { env, encoding: 'utf8' },
      ).stdout.includes('boolean true'),
    'dunst to own org.freedesktop.Notifications',
  );

  return {
    env,
    shown: () =>
      existsSync(log)
        ? readFileSync(log, 'utf8')
            .trim()
            .split('\n')
            .filter(Boolean)
            .map((line) => {
              const [appname = '', summary = '', body = '', urgency = ''] = line.split('\t');
              return { appname, summary, body, urgency };
            })
        : [],
  };
}
