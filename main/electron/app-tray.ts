import { join } from 'node:path';
import { Menu, nativeImage, nativeTheme, Tray } from 'electron';
import type { TrayMenuItem } from './tray-menu.ts';

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
}

// tray-dark.png is a dark glyph for light panels, tray-light.png a light glyph for dark ones; each
// has an @2x (32 px) beside it that Electron picks on HiDPI screens. macOS gets the dark glyph as
// a template image, which the menu bar recolours itself.
function trayImage(resourcesDir: string): Electron.NativeImage {
  if (process.platform === 'darwin') {
    const image = nativeImage.createFromPath(join(resourcesDir, 'tray-dark.png'));
    image.setTemplateImage(true);
    return image;
  }
  return nativeImage.createFromPath(join(resourcesDir, nativeTheme.shouldUseDarkColors ? 'tray-light.png' : 'tray-dark.png'));
}

export function createTray(options: TrayOptions): AppTray {
  const tray = new Tray(trayImage(options.resourcesDir));
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
    if (!tray.isDestroyed()) tray.setImage(trayImage(options.resourcesDir));
  });
  return { tray, refresh };
}
