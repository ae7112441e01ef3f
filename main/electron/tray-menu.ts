import type { HookStatus } from '../core/webhooks/hook-manager.ts';
import type { PauseState } from '../core/notify/notification-pause.ts';

// The tray menu as data (no Electron here, so it is tested under plain Node): open the window,
// pause or resume notifications, notify for the next command, each webhook hook's state, start at login, quit. app-tray.ts hands it to
// Menu.buildFromTemplate and rebuilds it whenever the pause or the hooks change.

export interface TrayMenuItem {
  label?: string;
  type?: 'separator' | 'normal' | 'checkbox';
  enabled?: boolean;
  checked?: boolean;
  click?: () => void;
}

export interface TrayState {
  pause: PauseState;
  hooks: HookStatus[];
  startAtLogin: boolean;
}

export interface TrayActions {
  open: () => void;
  /** Pause for `ms`, or until resumed when null. */
  pause: (ms: number | null) => void;
  resume: () => void;
  /** A one-shot notification for the next command that ends in any shell (`hookbox notify-next --any`). */
  notifyNext: () => void;
  setStartAtLogin: (enabled: boolean) => void;
  quit: () => void;
}

export const HOUR_MS = 3_600_000;

function time(iso: string): string {
  return new Date(iso).toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' });
}

export function hookLine(hook: HookStatus): string {
  if (hook.state === 'disabled') return `${hook.name}: disabled`;
  if (hook.state === 'error')
    return `${hook.name}: error${hook.error ? ` (${hook.error.length > 60 ? `${hook.error.slice(0, 59)}…` : hook.error})` : ''}`;
  const busy = hook.running > 0 ? `, ${hook.running} running` : '';
  return `${hook.name}: listening on ${hook.bind.replace(/:\d+$/, '')}:${hook.port ?? '?'}${busy}`;
}

export function trayMenuTemplate(state: TrayState, actions: TrayActions): TrayMenuItem[] {
  const pauseItems: TrayMenuItem[] = state.pause.paused
    ? [
        {
          label: state.pause.until
            ? `Notifications paused until ${time(state.pause.until)}`
            : 'Notifications paused until resumed',
          enabled: false,
        },
        { label: 'Resume notifications', click: actions.resume },
      ]
    : [
        { label: 'Pause notifications for 1 hour', click: () => actions.pause(HOUR_MS) },
        { label: 'Pause notifications until resumed', click: () => actions.pause(null) },
      ];
  const hookItems: TrayMenuItem[] =
    state.hooks.length === 0
      ? [{ label: 'No webhook hooks configured', enabled: false }]
      : state.hooks.map((hook) => ({ label: hookLine(hook), enabled: false }));
  return [
    { label: 'Open Hookbox', click: actions.open },
    { type: 'separator' },
    ...pauseItems,
    { label: 'Notify when the next command finishes', click: actions.notifyNext },
    { type: 'separator' },
    ...hookItems,
    { type: 'separator' },
    {
      label: 'Start at login',
      type: 'checkbox',
      checked: state.startAtLogin,
      click: () => actions.setStartAtLogin(!state.startAtLogin),
    },
    { label: 'Quit', click: actions.quit },
  ];
}
