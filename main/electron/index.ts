import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { app, dialog, powerMonitor, session, type BrowserWindow } from 'electron';
import { loadConfigFile } from '../core/config/config-file.ts';
import { defaultPaths } from '../core/config/paths.ts';
import { resolveSettings } from '../core/config/settings.ts';
import { createHub, type Hub } from '../core/hub.ts';
import { createLogger, type Logger } from '../core/logger.ts';
import { HOOKBOX_VERSION } from '../core/version.ts';
import { createTray, type AppTray } from './app-tray.ts';
import { createMainWindow, showWindow } from './app-window.ts';
import { createElectronNotifier } from './electron-notifier.ts';
import { registerIpcHandlers } from './ipc-handlers.ts';
import { attentionSummary, createTrayAttention } from './tray-attention.ts';
import { electronLoginItem, linuxLoginItem } from './login-item.ts';
import { trayMenuTemplate } from './tray-menu.ts';

// The desktop shell: the same hub as `hookbox serve`, with Electron's notifications, a tray icon
// and one window. Closing the window keeps the hub running in the tray; Quit stops it cleanly.

const APP_ID = 'dev.hookbox.app';
/** Quit waits this long for the hub (in-flight requests, queued events, notifications) at most. */
const STOP_DEADLINE_MS = 10_000;

// Chromium's own files (caches, local storage) go to one folder whatever the build: Electron would
// name it after package.json's "name" (hookbox) in development and after the product name
// (Hookbox) when packaged. Hookbox's data (database, control token) is elsewhere: see start().
app.setPath('userData', join(app.getPath('appData'), 'Hookbox'));
app.setAppUserModelId(APP_ID);

if (!app.requestSingleInstanceLock()) {
  // Another Hookbox owns the port and the database; it shows its window (second-instance).
  app.quit();
} else {
  runDesktop();
}

/** Settings as `hookbox serve` reads them (config file, AGENTD_* variables, defaults), minus its flags. */
function loadSettings(env: NodeJS.ProcessEnv) {
  const configPath = defaultPaths(env).configFile;
  const config = loadConfigFile(configPath, { explicit: env.HOOKBOX_CONFIG !== undefined });
  return { config, configPath, settings: resolveSettings({ env, config: config.config }) };
}

function runDesktop(): void {
  const resourcesDir = join(app.getAppPath(), 'resources');
  const preloadPath = join(import.meta.dirname, '../preload/index.cjs');
  // `electron-vite dev` serves the renderer with hot reload; every build loads the bundled file.
  const devServerUrl = app.isPackaged ? undefined : process.env.ELECTRON_RENDERER_URL;
  const rendererUrl = devServerUrl ?? pathToFileURL(join(import.meta.dirname, '../renderer/index.html')).href;
  const startHidden = process.argv.includes('--hidden');
  // An AppImage runs from a new mount point each time; its stable path is $APPIMAGE.
  const loginItem =
    process.platform === 'linux' ? linuxLoginItem(process.env.APPIMAGE ?? process.execPath) : electronLoginItem(app);

  let win: BrowserWindow | undefined;
  let tray: AppTray | undefined;
  let hub: Hub | undefined;
  let hubStarted = false;
  let logger: Logger | undefined;
  let quitting = false;
  let _stopping: Promise<number> | undefined;

  // The tray's badge: unread messages and failures that arrived while the window was not in front.
  const attention = createTrayAttention({
    looking: () => win !== undefined && !win.isDestroyed() && win.isVisible() && win.isFocused(),
    onChange: (state) => tray?.setBadge(state.badge),
  });

  function ensureWindow(): BrowserWindow {
    if (!win || win.isDestroyed()) {
      win = createMainWindow({
        preloadPath,
        rendererUrl,
        icon: join(resourcesDir, 'icon.png'),
        hideOnClose: () => !quitting,
      });
      win.on('focus', () => attention.seen());
    }
    return win;
  }

  function openWindow(): void {
    const current = ensureWindow();
    if (current.webContents.isLoading()) current.once('ready-to-show', () => showWindow(current));
    else showWindow(current);
    attention.seen();
  }

  /** A notification was clicked: the window opens on what it is about (a command or lifecycle event). */
  function openOn(id: string): void {
    openWindow();
    const running = hub;
    const current = win;
    if (!running || !hubStarted || !current) return;
    // The page subscribes while it loads; a window created just now hears it once loaded.
    const go = () => void running.app.navigate(id);
    if (current.webContents.isLoading()) current.webContents.once('did-finish-load', go);
    else go();
  }

  async function stopHub(): Promise<number> {
    if (!hub || !hubStarted) return 0;
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        hub.stop(),
        new Promise((_, reject) => {
          timer = setTimeout(
            () => reject(new Error(`the hub did not stop within ${STOP_DEADLINE_MS / 1000} s`)),
            STOP_DEADLINE_MS,
          );
        }),
      ]);
      logger?.info('stopped');
      return 0;
    } catch (error) {
      logger?.error({ err: error }, 'error while stopping');
      return 1;
    } finally {
      clearTimeout(timer);
    }
  }

  // Start-up errors (config, port in use, a database from a newer Hookbox) are one message in a
  // dialog, then the app quits.
  async function failStart(error: unknown): Promise<void> {
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(`hookbox: ${message}\n`);
    dialog.showErrorBox('Hookbox could not start', message);
    await stopHub();
    app.exit(1);
  }

  async function start(): Promise<void> {
    // The page needs no camera, location, clipboard or notification permission: the main process notifies.
    session.defaultSession.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
    session.defaultSession.setPermissionCheckHandler(() => false);

    const { config, configPath, settings } = loadSettings(process.env);
    logger = createLogger({ format: settings.logFormat });
    // A click brings forward the terminal of the agent session a notification is about, when its
    // hook said where that runs and the platform allows (core/notify/focus/bring-forward.ts); else the window.
    const onClick = (id: string) => {
      const focusing = hub ? hub.focusAgentTerminal(id) : Promise.resolve(false);
      focusing.then(
        (focused) => {
          if (!focused) openOn(id);
        },
        () => openOn(id),
      );
    };
    const notifier = createElectronNotifier({ onClick, icon: join(resourcesDir, 'icon.png') });
    // The data dir `hookbox serve` and every CLI command use by default (HOOKBOX_DATA_DIR, else the
    // platform's data folder), not userData: `hookbox events`, `send` and `run` must find the
    // desktop hub's database and control token without being told where they are.
    hub = createHub({
      dataDir: defaultPaths(process.env).dataDir,
      settings,
      configFile: config.path,
      configPath,
      notifier,
      logger,
      // ntfy's only_when_away: seconds without keyboard or mouse input (Wayland sessions may report 0).
      idleMs: () => powerMonitor.getSystemIdleTime() * 1000,
      // No `launcher`: the app cannot know which `hookbox` command (Node + bin/hookbox) a terminal
      // would run, and a guess written into an agent's config would break its every tool call. The
      // window's Agents section then shows install as unavailable, with the terminal command.
    });
    const address = await hub.start();
    hubStarted = true;
    logger.info({ url: address.url }, `Hookbox ${HOOKBOX_VERSION} listening on ${address.url}`);
    logger.info({ data_dir: hub.dataDir, database: hub.databaseFile }, `data dir: ${hub.dataDir}`);
    logger.info({ config: config.path }, `config: ${config.path ?? 'none (defaults in use)'}`);

    const running = hub;
    registerIpcHandlers({
      handlers: running.app.handlers,
      subscriptions: running.app.subscriptions,
      window: () => win,
      rendererUrl,
      logger,
    });
    tray = createTray({
      resourcesDir,
      tooltip: () => {
        const news = attentionSummary(attention.state());
        return `Hookbox: ${address.url}${running.notificationPause.isPaused() ? ' (notifications paused)' : ''}${news ? ` · ${news}` : ''}`;
      },
      onOpen: openWindow,
      menu: () =>
        trayMenuTemplate(
          { pause: running.notificationPause.state(), hooks: running.hooks.status(), startAtLogin: loginItem.get() },
          {
            open: openWindow,
            pause: (ms) => running.notificationPause.pause(ms),
            resume: () => running.notificationPause.resume(),
            notifyNext: () => running.notifications.armNextCommand(null),
            setStartAtLogin: (enabled) => {
              try {
                loginItem.set(enabled);
              } catch (error) {
                logger?.error({ err: error }, 'could not change start at login');
              }
              tray?.refresh();
            },
            quit: () => app.quit(),
          },
        ),
    });
    // The menu shows the pause and each hook's state: rebuilt when either changes.
    running.notificationPause.events.on('changed', () => tray?.refresh());
    running.events.on('config-reloaded', () => tray?.refresh());
    running.events.on('config-error', () => tray?.refresh());
    // The icon's badge follows what arrives while the window is not in front.
    running.events.on('message', (message) => attention.message(message));
    running.inbox.events.on('acked', (message) => attention.handled(message));
    running.events.on('event-recorded', (event) => attention.event(event));
    running.events.on('hook-run', (run) => attention.hookRun(run));
    if (startHidden) ensureWindow();
    else openWindow();
  }

  // Before the hub runs there is nothing to show (and no IPC handler to answer the page).
  const openWhenRunning = () => {
    if (hubStarted) openWindow();
  };
  app.on('second-instance', openWhenRunning);
  app.on('activate', openWhenRunning);
  // The hub keeps running in the tray when the window is closed.
  app.on('window-all-closed', () => {});
  app.on('before-quit', () => {
    quitting = true;
  });
  app.on('will-quit', (event) => {
    if (!hubStarted) return;
    event.preventDefault();
    _stopping ??= stopHub().then((code) => {
      tray?.tray.destroy();
      app.exit(code);
      return code;
    });
  });
  // Ctrl-C in the terminal that ran `npm start` quits like the tray's Quit.
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => app.quit());

  app.whenReady().then(start).catch(failStart);
}
