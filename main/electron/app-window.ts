import { BrowserWindow } from 'electron';

export interface MainWindowOptions {
  preloadPath: string;
  rendererUrl: string;
  icon: string;
  /** Asked on close: true hides the window to the tray, false lets it close (quitting). */
  hideOnClose: () => boolean;
}

/** The one window (created hidden): sandboxed, isolated, no Node, and it never navigates or opens others. */
export function createMainWindow(options: MainWindowOptions): BrowserWindow {
  const win = new BrowserWindow({
    title: 'Hookbox',
    width: 1040,
    height: 680,
    minWidth: 560,
    minHeight: 360,
    show: false,
    icon: options.icon,
    autoHideMenuBar: true,
    webPreferences: {
      preload: options.preloadPath,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInSubFrames: false,
      webviewTag: false,
      spellcheck: false,
    },
  });

  // A single-page renderer: any navigation is a link or an injected page, never ours.
  win.webContents.on('will-navigate', (event) => event.preventDefault());
  win.webContents.on('will-frame-navigate', (event) => {
    if (!event.isMainFrame) event.preventDefault();
  });
  win.webContents.setWindowOpenHandler(() => ({ action: 'deny' }));

  win.on('close', (event) => {
    if (options.hideOnClose()) {
      event.preventDefault();
      win.hide();
    }
  });
  void win.loadURL(options.rendererUrl);
  return win;
}

export function showWindow(win: BrowserWindow | undefined): void {
  if (!win || win.isDestroyed()) return;
  if (win.isMinimized()) win.restore();
  win.show();
  win.focus();
}
