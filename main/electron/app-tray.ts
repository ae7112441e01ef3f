import { join } from 'node:path';
import { Menu, nativeImage, nativeTheme, Tray } from 'electron';
import type { TrayMenuItem } from './tray-menu.ts';
import { trayIconFile, type TrayBadge } from './tray-attention.ts';

export interface TrayOptions {
  resourcesDir: string;
  tooltip: () => string;
  /** The menu as it should be now (tray-menu.ts). */
  menu: () => TrayMenuItem[];
  onOpen: () => void;
}

export interface AppTray {
  tray: Tray;
  /** Rebuilds the menu and the tooltip (the pause or a hook changed). */
  refresh: () => void;
  /** Shows the icon with this badge (unread messages, failures) or without one; refreshes the tooltip. */
  setBadge: (badge: TrayBadge) => void;
}

// Each icon file has an @2x (32 px) beside it that Electron picks on HiDPI screens; which file and
// whether it is a template image is decided in tray-attention.ts (tested without Electron).
function trayImage(resourcesDir: string, badge: TrayBadge): Electron.NativeImage {
  const { file, template } = trayIconFile({
    platform: process.platform,
    darkPanel: nativeTheme.shouldUseDarkColors,
    badge,
  });
  const image = nativeImage.createFromPath(join(resourcesDir, file));
  if (template) image.setTemplateImage(true);
  return image;
}

export function createTray(options: TrayOptions): AppTray {
  let badge: TrayBadge = 'none';
  const tray = new Tray(trayImage(options.resourcesDir, badge));
  const refresh = () => {
    if (tray.isDestroyed()) return;
    tray.setToolTip(options.tooltip());
    tray.setContextMenu(Menu.buildFromTemplate(options.menu()));
  };
  refresh();
  // Linux (AppIndicator) only has the menu; elsewhere a click opens the window.
  tray.on('click', options.onOpen);
  // The tray lives as long as the app, so this listener is never removed.
  nativeTheme.on('updated', () => {
    if (!tray.isDestroyed()) tray.setImage(trayImage(options.resourcesDir, badge));
  });
  const setBadge = (next: TrayBadge) => {
    if (tray.isDestroyed()) return;
    if (next !== badge) {
      badge = next;
      tray.setImage(trayImage(options.resourcesDir, badge));
    }
    tray.setToolTip(options.tooltip());
  };
  return { tray, refresh, setBadge };
}
