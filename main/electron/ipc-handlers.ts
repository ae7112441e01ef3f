import { ipcMain, type BrowserWindow, type IpcMainInvokeEvent } from 'electron';
import type { Logger } from '../core/logger.ts';
import {
  INVOKE_CHANNELS,
  SUBSCRIPTION_CHANNELS,
  type OperationName,
  type SubscriptionName,
} from '../shared/api-contract.ts';
import type { OperationHandlers, SubscriptionSources } from '../core/app-api/app-api-interface.ts';
import { isTrustedSender } from './ipc-sender.ts';

export interface IpcOptions {
  handlers: OperationHandlers;
  subscriptions: SubscriptionSources;
  /** The window whose renderer may call; undefined while there is none. */
  window: () => BrowserWindow | undefined;
  /** The URL the window loads (file:// in a build, the dev server's in `electron-vite dev`). */
  rendererUrl: string;
  logger: Logger;
}

/** Puts every contract operation behind ipcMain and pushes every subscription to the window. Returns the undo. */
export function registerIpcHandlers(options: IpcOptions): () => void {
  const { logger } = options;
  const undo: (() => void)[] = [];

  function fromOurWindow(event: IpcMainInvokeEvent): boolean {
    const win = options.window();
    if (!win || win.isDestroyed() || event.sender.id !== win.webContents.id) return false;
    try {
      return isTrustedSender(event.senderFrame, win.webContents.mainFrame, options.rendererUrl);
    } catch {
      // Reading a frame that was disposed meanwhile throws: not a caller to answer.
      return false;
    }
  }

  for (const name of Object.keys(INVOKE_CHANNELS) as OperationName[]) {
    const channel = INVOKE_CHANNELS[name];
    ipcMain.handle(channel, (event, request: unknown) => {
      if (!fromOurWindow(event)) {
        logger.warn({ channel }, 'refused an IPC call from outside the Hookbox window');
        throw new Error(`${name} refused: the caller is not the Hookbox window`);
      }
      return options.handlers[name](request);
    });
    undo.push(() => ipcMain.removeHandler(channel));
  }

  for (const name of Object.keys(SUBSCRIPTION_CHANNELS) as SubscriptionName[]) {
    const channel = SUBSCRIPTION_CHANNELS[name];
    undo.push(
      options.subscriptions[name]((payload) => {
        const win = options.window();
        if (win && !win.isDestroyed()) win.webContents.send(channel, payload);
      }),
    );
  }

  return () => {
    for (const step of undo) step();
  };
}
