// A stand-in for the `electron` module, so the built main process (out/main/index.js) can run
// under plain Node where the Electron binary is missing. It implements only what main/electron
// uses, and prints each thing a user would see (window, tray, dialog, notification) as a line
//   fake-electron {"step": …}
// Everything behind it is real: the hub, SQLite, HTTP, the IPC handlers and the quit sequence.
import { EventEmitter } from 'node:events';
import { existsSync } from 'node:fs';
import { basename } from 'node:path';

export function report(step: string, data: Record<string, unknown> = {}): void {
  process.stdout.write(`fake-electron ${JSON.stringify({ step, ...data })}\n`);
}

/** Lets the scenario driver wait for what the app does. */
export const fake = new EventEmitter();

function preventable() {
  return {
    defaultPrevented: false,
    preventDefault() {
      this.defaultPrevented = true;
    },
  };
}

class App extends EventEmitter {
  isPackaged = false;
  #paths = new Map<string, string>([['appData', process.env.FAKE_APP_DATA ?? '/nonexistent']]);
  getPath(name: string): string {
    const path = this.#paths.get(name);
    if (!path) throw new Error(`fake electron: no path for ${name}`);
    return path;
  }
  setPath(name: string, value: string): void {
    this.#paths.set(name, value);
  }
  getAppPath(): string {
    return process.env.FAKE_APP_PATH ?? process.cwd();
  }
  setAppUserModelId(): void {}
  requestSingleInstanceLock(): boolean {
    return true;
  }
  whenReady(): Promise<void> {
    return Promise.resolve();
  }
  /** As Electron: before-quit, close every window (one refusing cancels), will-quit, exit. */
  quit(): void {
    const beforeQuit = preventable();
    this.emit('before-quit', beforeQuit);
    if (beforeQuit.defaultPrevented) return;
    for (const win of [...windows]) {
      win.close();
      if (!win.isDestroyed()) return;
    }
    const willQuit = preventable();
    this.emit('will-quit', willQuit);
    if (willQuit.defaultPrevented) return;
    this.exit(0);
  }
  exit(code = 0): void {
    report('exit', { code });
    process.exit(code);
  }
}

export const app = new App();

interface Frame {
  url: string;
  processId: number;
  routingId: number;
}

const windows = new Set<BrowserWindow>();
let nextId = 1;

class WebContents extends EventEmitter {
  readonly id = nextId++;
  readonly mainFrame: Frame = { url: '', processId: 100 + this.id, routingId: 1 };
  windowOpenHandler: ((details: unknown) => unknown) | undefined;
  setWindowOpenHandler(handler: (details: unknown) => unknown): void {
    this.windowOpenHandler = handler;
  }
  isLoading(): boolean {
    return false;
  }
  send(channel: string, payload: unknown): void {
    report('send', { channel, payload });
    fake.emit('send', channel, payload);
  }
}

export class BrowserWindow extends EventEmitter {
  readonly webContents = new WebContents();
  readonly options: Record<string, any>;
  #destroyed = false;
  #visible = false;
  #focused = false;
  constructor(options: Record<string, any>) {
    super();
    this.options = options;
    windows.add(this);
    report('window-created', {
      webPreferences: options.webPreferences,
      preloadExists: existsSync(options.webPreferences?.preload ?? ''),
    });
    fake.emit('window', this);
  }
  async loadURL(url: string): Promise<void> {
    this.webContents.mainFrame.url = url;
    report('load', { url });
    setImmediate(() => this.emit('ready-to-show'));
  }
  show(): void {
    this.#visible = true;
    report('window-show');
  }
  hide(): void {
    this.#visible = false;
    this.#focused = false;
    report('window-hide');
    this.emit('blur');
  }
  isVisible(): boolean {
    return this.#visible;
  }
  isFocused(): boolean {
    return this.#focused;
  }
  focus(): void {
    if (!this.#visible || this.#focused) return;
    this.#focused = true;
    this.emit('focus');
  }
  isMinimized(): boolean {
    return false;
  }
  restore(): void {}
  isDestroyed(): boolean {
    return this.#destroyed;
  }
  close(): void {
    const event = preventable();
    this.emit('close', event);
    if (event.defaultPrevented) return;
    this.#destroyed = true;
    windows.delete(this);
    report('window-closed');
    this.emit('closed');
  }
}

type InvokeHandler = (event: unknown, ...args: unknown[]) => unknown;

class IpcMain {
  readonly handlers = new Map<string, InvokeHandler>();
  handle(channel: string, handler: InvokeHandler): void {
    if (this.handlers.has(channel)) throw new Error(`Attempted to register a second handler for '${channel}'`);
    this.handlers.set(channel, handler);
  }
  removeHandler(channel: string): void {
    this.handlers.delete(channel);
  }
  /** What ipcRenderer.invoke from `win`'s page (or another frame) would do. */
  async invokeFrom(
    win: BrowserWindow,
    channel: string,
    request: unknown,
    frame: Frame = win.webContents.mainFrame,
  ): Promise<unknown> {
    const handler = this.handlers.get(channel);
    if (!handler) throw new Error(`No handler registered for '${channel}'`);
    return structuredClone(await handler({ sender: win.webContents, senderFrame: frame }, structuredClone(request)));
  }
}

export const ipcMain = new IpcMain();

export interface MenuItem {
  label?: string;
  type?: string;
  click?: () => void;
}

export const Menu = {
  buildFromTemplate(items: MenuItem[]) {
    return { items };
  },
};

export class Tray extends EventEmitter {
  menu: { items: MenuItem[] } | undefined;
  #destroyed = false;
  constructor(image: { path: string }) {
    super();
    report('tray', { icon: image.path, iconExists: existsSync(image.path) });
    setImmediate(() => fake.emit('tray', this));
  }
  setToolTip(tooltip: string): void {
    report('tray-tooltip', { tooltip });
  }
  setContextMenu(menu: { items: MenuItem[] }): void {
    this.menu = menu;
    report('tray-menu', { labels: menu.items.filter((i) => i.label).map((i) => i.label) });
  }
  /** The icon as a user sees it change (a badge for unread messages or failures). */
  setImage(image: { path: string }): void {
    report('tray-image', { icon: basename(image.path), iconExists: existsSync(image.path) });
    fake.emit('tray-image', basename(image.path));
  }
  isDestroyed(): boolean {
    return this.#destroyed;
  }
  destroy(): void {
    this.#destroyed = true;
  }
}

export const nativeImage = {
  createFromPath(path: string) {
    return { path, setTemplateImage() {} };
  },
};

export const nativeTheme = Object.assign(new EventEmitter(), { shouldUseDarkColors: false });

export class Notification extends EventEmitter {
  static isSupported(): boolean {
    return true;
  }
  readonly options: Record<string, unknown>;
  constructor(options: Record<string, unknown>) {
    super();
    this.options = options;
  }
  /** What a click on the shown notification does. */
  click(): void {
    report('notification-click', { title: this.options.title });
    this.emit('click');
  }
  show(): void {
    report('notification', { title: this.options.title, body: this.options.body, urgency: this.options.urgency });
    fake.emit('notification', this);
    setImmediate(() => this.emit('show'));
  }
}

export const dialog = {
  showErrorBox(title: string, content: string): void {
    report('error-dialog', { title, content });
  },
};

export const powerMonitor = { getSystemIdleTime: () => 0 };

export const session = {
  defaultSession: {
    setPermissionRequestHandler(): void {
      report('permissions-denied');
    },
    setPermissionCheckHandler(): void {},
  },
};

export default { app, BrowserWindow, ipcMain, Menu, Tray, nativeImage, nativeTheme, Notification, dialog, session };
