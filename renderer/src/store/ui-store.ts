import { createStore, type StoreApi } from 'zustand/vanilla';

// Which view is shown and the colour theme; the theme is remembered in localStorage.

export const VIEWS = ['inbox', 'events', 'hooks', 'config', 'notifications', 'shell'] as const;
export type ViewName = (typeof VIEWS)[number];
export type Theme = 'system' | 'light' | 'dark';
export type Connection = 'connecting' | 'live' | 'offline' | 'unauthorized';

export const VIEW_TITLES: Record<ViewName, string> = {
  inbox: 'Inbox',
  events: 'Events',
  hooks: 'Hooks',
  config: 'Config',
  notifications: 'Notifications',
  shell: 'Shell integration',
};

export interface UiState {
  view: ViewName;
  theme: Theme;
  connection: Connection;
  setView(view: ViewName): void;
  setTheme(theme: Theme): void;
  cycleTheme(): void;
  setConnection(connection: Connection): void;
}

export type UiStore = StoreApi<UiState>;

interface ThemeStorage {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
}

const THEME_KEY = 'hookbox.theme';
const NEXT_THEME: Record<Theme, Theme> = { system: 'light', light: 'dark', dark: 'system' };

export function createUiStore(options: { storage?: ThemeStorage; view?: ViewName } = {}): UiStore {
  const saved = options.storage?.getItem(THEME_KEY);
  const theme: Theme = saved === 'light' || saved === 'dark' ? saved : 'system';
  return createStore<UiState>()((set, get) => ({
    view: options.view ?? 'events',
    theme,
    connection: 'live',
    setView: (view) => set({ view }),
    setTheme(next) {
      options.storage?.setItem(THEME_KEY, next);
      set({ theme: next });
    },
    cycleTheme() {
      get().setTheme(NEXT_THEME[get().theme]);
    },
    setConnection: (connection) => set({ connection }),
  }));
}
