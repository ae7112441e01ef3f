import { contextBridge, ipcRenderer } from 'electron';
import { createHookboxApi } from './hookbox-api.ts';

// Runs sandboxed with context isolation: the page sees `window.hookbox` (the contract's named
// methods) and nothing of ipcRenderer.
contextBridge.exposeInMainWorld('hookbox', createHookboxApi(ipcRenderer));
