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

/** notify-send (libnotify) talks to whatever notification daemon owns the session bus. */
export function createLibnotifyNotifier(
  options: { command?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {},
): Notifier {
  const command = options.command ?? 'notify-send';
  return {
    channel: 'libnotify',
    async notify(n: DesktopNotification) {
      // execa (and its dependencies) load on the first notification, not with every command.
      const { execa } = await import('execa');
      // Title and message are arguments, never a shell string: command text cannot inject.
      const result = await execa(
        command,
        ['--app-name=Hookbox', `--urgency=${URGENCY[n.priority]}`, '--', n.title, n.message],
        {
          env: options.env ?? process.env,
          extendEnv: false,
          timeout: options.timeoutMs ?? 5_000,
          reject: false,
          stdin: 'ignore',
        },
      );
      if (result.failed) {
        const reason = result.timedOut
          ? 'notify-send did not answer in time'
          : result.stderr.trim() || result.shortMessage;
        throw new Error(reason);
      }
    },
  };
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
export function createHeadlessNotifier(logger: Logger, env: NodeJS.ProcessEnv = process.env): Notifier {
  const notifySend = findOnPath('notify-send', env);
  if (notifySend && hasSessionBus(env)) return createLibnotifyNotifier({ command: notifySend, env });
  return createLogNotifier(logger);
}
