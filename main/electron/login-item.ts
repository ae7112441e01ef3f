import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

// "Start at login". On macOS and Windows Electron registers a login item itself; on Linux it
// has no API, and the freedesktop way is an autostart entry: a .desktop file in
// $XDG_CONFIG_HOME/autostart. No Electron import here, so it is tested under plain Node.

export interface LoginItemApi {
  get(): boolean;
  set(enabled: boolean): void;
}

export function autostartFile(env: NodeJS.ProcessEnv = process.env): string {
  const configHome = env.XDG_CONFIG_HOME || join(env.HOME || homedir(), '.config');
  return join(configHome, 'autostart', 'hookbox.desktop');
}

/** The autostart entry: starts the app hidden in the tray. */
export function autostartEntry(executable: string): string {
  const quoted = /[\s"'\\$`]/.test(executable) ? `"${executable.replace(/(["\\$`])/g, '\\$1')}"` : executable;
  return [
    '[Desktop Entry]',
    'Type=Application',
    'Name=Hookbox',
    'Comment=The local hub for your hooks',
    `Exec=${quoted} --hidden`,
    'Terminal=false',
    'X-GNOME-Autostart-enabled=true',
    '',
  ].join('\n');
}

export function linuxLoginItem(executable: string, env: NodeJS.ProcessEnv = process.env): LoginItemApi {
  const file = autostartFile(env);
  return {
    get: () => existsSync(file),
    set(enabled) {
      if (!enabled) {
        rmSync(file, { force: true });
        return;
      }
      mkdirSync(join(file, '..'), { recursive: true });
      writeFileSync(file, autostartEntry(executable), { mode: 0o644 });
    },
  };
}

/** Electron's own login items (macOS, Windows). */
export function electronLoginItem(app: {
  getLoginItemSettings(): { openAtLogin: boolean };
  setLoginItemSettings(s: { openAtLogin: boolean; openAsHidden?: boolean; args?: string[] }): void;
}): LoginItemApi {
  return {
    get: () => app.getLoginItemSettings().openAtLogin,
    set: (enabled) => app.setLoginItemSettings({ openAtLogin: enabled, openAsHidden: true, args: ['--hidden'] }),
  };
}
