import type { HookboxApi } from '../../../main/shared/api-contract.ts';
import { createHttpApi, type ConnectionStatus } from './http-transport.ts';

// The page runs in two places: the desktop window, where the preload put the contract on
// `window.hookbox` (IPC), and a browser tab served by `hookbox serve`, where it talks HTTP to the
// origin it came from. Everything else in the renderer sees only HookboxApi.

const TOKEN_KEY = 'hookbox.token';

export type Transport =
  | { kind: 'ipc'; api: HookboxApi }
  | { kind: 'http'; api: HookboxApi; close: () => void }
  | { kind: 'no-token' };

interface PageEnvironment {
  hookbox?: HookboxApi;
  location: { origin: string; hash: string; pathname: string; search: string };
  history: { replaceState: (data: unknown, unused: string, url: string) => void };
  sessionStorage: { getItem: (key: string) => string | null; setItem: (key: string, value: string) => void };
}

/**
 * The control token from the signed-in address's fragment (#token=…, `hookbox open`), moved to
 * sessionStorage (this tab only, gone when it closes) and wiped from the address bar, so it is
 * not bookmarked, shared in a screenshot or sent anywhere. A reload finds it in sessionStorage.
 */
export function takeToken(page: PageEnvironment): string | null {
  const fromHash = /(?:^#|&)token=([^&]+)/.exec(page.location.hash)?.[1];
  if (fromHash) {
    page.sessionStorage.setItem(TOKEN_KEY, decodeURIComponent(fromHash));
    page.history.replaceState(null, '', page.location.pathname + page.location.search);
  }
  return page.sessionStorage.getItem(TOKEN_KEY);
}

export function chooseTransport(page: PageEnvironment, onStatus?: (status: ConnectionStatus) => void): Transport {
  if (page.hookbox) return { kind: 'ipc', api: page.hookbox };
  const token = takeToken(page);
  if (!token) return { kind: 'no-token' };
  const http = createHttpApi({ baseUrl: page.location.origin, token, ...(onStatus ? { onStatus } : {}) });
  return { kind: 'http', api: http.api, close: http.close };
}
