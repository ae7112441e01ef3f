import { createStore, type StoreApi } from 'zustand/vanilla';
import type { HookboxApi, InboxMessage, SessionSummary } from '../../../main/shared/api-contract.ts';
import { messageOf } from './errors.ts';

// The Inbox view: sessions with their unread counts, the chosen session's messages (newest
// first), writing into a session and marking a message handled; live as messages arrive.

export const MESSAGES_SHOWN = 200;

export interface InboxState {
  sessions: SessionSummary[];
  selected: string | null;
  messages: InboxMessage[];
  /** The message shown as selected (moved with the keys; a notification click picks it). */
  selectedMessageId: string | null;
  showHandled: boolean;
  status: 'idle' | 'loading' | 'ready' | 'error';
  error: string | null;
  sending: boolean;
  connect(): () => void;
  reload(): Promise<void>;
  selectSession(name: string): Promise<void>;
  selectMessage(id: string | null): void;
  setShowHandled(show: boolean): Promise<void>;
  /** Writes a message into the selected session (or `session`). Resolves true when stored. */
  inject(content: string, session?: string): Promise<boolean>;
  markHandled(id: string): Promise<void>;
  /** Marks every message of the selected session handled. */
  markAllHandled(): Promise<void>;
}

export type InboxStore = StoreApi<InboxState>;

/** Messages not yet handled: queued, or claimed by a consumer that has not acknowledged them. */
export function unreadCount(session: SessionSummary): number {
  return session.queued + session.claimed;
}

/** Newest first, each message once (a newer state replaces an older one). */
export function upsertMessage(messages: readonly InboxMessage[], message: InboxMessage): InboxMessage[] {
  const rest = messages.filter((m) => m.id !== message.id);
  return [message, ...rest].sort((a, b) => b.seq - a.seq).slice(0, MESSAGES_SHOWN);
}

export function createInboxStore(api: HookboxApi): InboxStore {
  return createStore<InboxState>()((set, get) => {
    async function loadMessages(session: string): Promise<void> {
      const messages = await api.listMessages({ session, limit: MESSAGES_SHOWN });
      if (get().selected === session) set({ messages });
    }

    return {
      sessions: [],
      selected: null,
      messages: [],
      selectedMessageId: null,
      showHandled: true,
      status: 'idle',
      error: null,
      sending: false,
      connect() {
        const unsubscribe = api.onInboxChanged((message) => {
          const state = get();
          if (message.session === state.selected) set({ messages: upsertMessage(state.messages, message) });
          // The first message of a first run: show its session rather than an empty pane.
          else if (state.selected === null) void get().selectSession(message.session);
          // Counts change with every arrival and acknowledgement: ask the hub rather than guess.
          api.listSessions().then(
            (sessions) => set({ sessions }),
            () => undefined,
          );
        });
        void get().reload();
        return unsubscribe;
      },
      async reload() {
        set({ status: 'loading', error: null });
        try {
          const sessions = await api.listSessions();
          const selected =
            get().selected ?? sessions.find((s) => unreadCount(s) > 0)?.name ?? sessions[0]?.name ?? null;
          set({ sessions, selected, status: 'ready' });
          if (selected) await loadMessages(selected);
        } catch (error) {
          set({ status: 'error', error: messageOf(error) });
        }
      },
      async selectSession(name) {
        set({ selected: name, messages: [], selectedMessageId: null });
        try {
          await loadMessages(name);
        } catch (error) {
          set({ error: messageOf(error) });
        }
      },
      selectMessage(id) {
        set({ selectedMessageId: id });
      },
      async setShowHandled(show) {
        set({ showHandled: show });
      },
      async inject(content, session) {
        const target = session ?? get().selected;
        if (!target || content.trim() === '') return false;
        set({ sending: true, error: null });
        try {
          const message = await api.injectMessage({ session: target, content });
          if (get().selected === target) set({ messages: upsertMessage(get().messages, message) });
          if (!get().sessions.some((s) => s.name === target)) set({ sessions: await api.listSessions() });
          return true;
        } catch (error) {
          set({ error: messageOf(error) });
          return false;
        } finally {
          set({ sending: false });
        }
      },
      async markAllHandled() {
        const session = get().selected;
        if (!session) return;
        try {
          // Page by page, each state not handled yet (a session may hold more than is shown); bounded.
          for (const state of ['queued', 'claimed'] as const) {
            for (let round = 0; round < 100; round += 1) {
              const open = await api.listMessages({ session, state, limit: MESSAGES_SHOWN });
              if (open.length === 0) break;
              for (const message of open) await api.markMessageHandled({ session, id: message.id });
            }
          }
          if (get().selected === session) await loadMessages(session);
          set({ sessions: await api.listSessions() });
        } catch (error) {
          set({ error: messageOf(error) });
        }
      },
      async markHandled(id) {
        const session = get().selected;
        if (!session) return;
        try {
          const message = await api.markMessageHandled({ session, id });
          set({ messages: upsertMessage(get().messages, message) });
        } catch (error) {
          set({ error: messageOf(error) });
        }
      },
    };
  });
}
