import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import type { Logger } from 'pino';
import { createLogNotifier, type DesktopNotification, type Notifier, type Priority } from './notifier.ts';

const URGENCY: Record<Priority, 'low' | 'normal' | 'critical'> = {
  low: 'low',
  normal: 'normal',
  high: 'critical',
  urgent: 'critical',
};

/**
 * notify-send waiting for a click, at most this many at a time: a daemon keeps critical
 * notifications until they are dismissed, and the oldest waiter is let go past this (its
 * notification stays on screen; only its click does nothing).
 */
const CLICK_WAITERS = 20;

export interface LibnotifyOptions {
  command?: string;
  env?: NodeJS.ProcessEnv;
  timeoutMs?: number;
  /**
   * A click on the notification (its default action). notify-send 0.7.9+ then waits for the
   * daemon to say which action was taken (`--action`, `--print-id`); older ones show it without.
   */
  onClick?: (eventId: string) => void;
}

/** notify-send (libnotify) talks to whatever notification daemon owns the session bus. */
export function createLibnotifyNotifier(options: LibnotifyOptions = {}): Notifier {
  const command = options.command ?? 'notify-send';
  const waiters = new Set<ChildProcess>();
  const base = (n: DesktopNotification) => ['--app-name=Hookbox', `--urgency=${URGENCY[n.priority]}`];
  return {
    channel: 'libnotify',
    async notify(n: DesktopNotification) {
      if (options.onClick) return notifyAndWait(n, options.onClick);
      // execa (and its dependencies) load on the first notification, not with every command.
      const { execa } = await import('execa');
      // Title and message are arguments, never a shell string: command text cannot inject.
      const result = await execa(command, [...base(n), '--', n.title, n.message], {
        env: options.env ?? process.env,
        extendEnv: false,
        timeout: options.timeoutMs ?? 5_000,
        reject: false,
        stdin: 'ignore',
      });
      if (result.failed) {
        const reason = result.timedOut
          ? 'notify-send did not answer in time'
          : result.stderr.trim() || result.shortMessage;
        throw new Error(reason);
      }
    },
    close() {
      for (const child of waiters) child.kill('SIGTERM');
      waiters.clear();
    },
  };

  // Shown when notify-send prints the notification's id; it then stays, printing the action's
  // name when one is invoked ("default": the notification itself was clicked), until the
  // notification is closed.
  function notifyAndWait(n: DesktopNotification, onClick: (eventId: string) => void): Promise<void> {
    const args = [...base(n), '--action=default=Open', '--print-id', '--', n.title, n.message];
    return new Promise((resolve, reject) => {
      const child = spawn(command, args, { env: options.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
      let shown = false;
      let stdout = '';
      let stderr = '';
      const timer = setTimeout(() => {
        child.kill('SIGTERM');
        reject(new Error('notify-send did not answer in time'));
      }, options.timeoutMs ?? 5_000);
      child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
      child.stdout.on('data', (c: Buffer) => {
        stdout += c.toString();
        const lines = stdout.split('\n');
        stdout = lines.pop()!;
        for (const line of lines.map((l) => l.trim())) {
          if (!shown && /^\d+$/.test(line)) {
            shown = true;
            clearTimeout(timer);
            waiters.add(child);
            if (waiters.size > CLICK_WAITERS) {
              const oldest = waiters.values().next().value!;
              waiters.delete(oldest);
              oldest.kill('SIGTERM');
            }
            resolve();
          } else if (line === 'default') onClick(n.eventId);
        }
      });
      child.on('error', (error) => {
        clearTimeout(timer);
        reject(error);
      });
      child.on('close', (code) => {
        clearTimeout(timer);
        waiters.delete(child);
        if (!shown) reject(new Error(stderr.trim() || `notify-send exited with code ${code}`));
      });
    });
  }
}

export function findOnPath(program: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, program);
    if (existsSync(candidate)) return candidate;
  }
  return undefined;
}

function hasSessionBus(env: NodeJS.ProcessEnv): boolean {
  if (env.DBUS_SESSION_BUS_ADDRESS) return true;
  return env.XDG_RUNTIME_DIR !== undefined && existsSync(join(env.XDG_RUNTIME_DIR, 'bus'));
}

/**
 * For `hookbox serve`: libnotify when notify-send and a session bus are there (a desktop), a log
 * line otherwise (a server, WSL, CI).
 */
export function createHeadlessNotifier(
  logger: Logger,
  env: NodeJS.ProcessEnv = process.env,
  options: { onClick?: (eventId: string) => void } = {},
): Notifier {
  const notifySend = findOnPath('notify-send', env);
  if (notifySend && hasSessionBus(env)) return createLibnotifyNotifier({ command: notifySend, env, ...options });
  return createLogNotifier(logger);
}
