import { useState } from 'react';
import { useStore } from 'zustand';
import type { HubHealth, InboxMessage } from '../../../main/shared/api-contract.ts';
import { Badge, ErrorBanner, listKeyHandler, Teach, useScrollIntoView } from '../components/common.tsx';
import { formatTime, hookboxCommand } from '../format.ts';
import { unreadCount, type InboxStore } from '../store/inbox-store.ts';

/** A session name as the hub accepts it. */
const SESSION_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

const SOURCE_TONE: Record<InboxMessage['source'], 'info' | 'warn' | 'muted' | 'ok'> = {
  webhook: 'info',
  schedule: 'warn',
  background: 'muted',
  skill: 'ok',
  inject: 'ok',
};

function Message({
  message,
  selected,
  onSelect,
  onHandled,
}: {
  message: InboxMessage;
  selected: boolean;
  onSelect: () => void;
  onHandled: () => void;
}) {
  const ref = useScrollIntoView<HTMLLIElement>(selected);
  const handled = message.state === 'acked';
  return (
    <li
      ref={ref}
      className={`message ${handled ? 'handled' : ''} ${selected ? 'selected' : ''}`}
      onClick={onSelect}
      aria-current={selected ? 'true' : undefined}
      data-message-id={message.id}
    >
      <header>
        <Badge tone={SOURCE_TONE[message.source]}>{message.source}</Badge>
        <span className="label" title="The hook, schedule or client that wrote it">
          {message.source === 'webhook' ? `hook ${message.source_label}` : message.source_label}
        </span>
        <time dateTime={message.created_at}>{formatTime(message.created_at)}</time>
        <span className="state">
          {handled ? 'handled' : message.state === 'claimed' ? 'delivered, not acknowledged' : 'unread'}
        </span>
        {!handled && (
          <button
            type="button"
            className="secondary small"
            onClick={(e) => {
              e.stopPropagation();
              onHandled();
            }}
          >
            Mark handled
          </button>
        )}
      </header>
      <pre className="content">{message.content}</pre>
    </li>
  );
}

export function InboxView({ store, cli }: { store: InboxStore; cli?: HubHealth['cli'] | undefined }) {
  const s = useStore(store);
  const [draft, setDraft] = useState('');
  const selectedMessage = s.selectedMessageId;
  const setSelectedMessage = s.selectMessage;
  // Where the message goes: the open session unless another (or a new one) is typed.
  const [to, setTo] = useState<string | null>(null);
  const target = (to ?? s.selected ?? 'default').trim();
  const shown = s.showHandled ? s.messages : s.messages.filter((m) => m.state !== 'acked');
  const unreadHere = s.messages.filter((m) => m.state !== 'acked').length;

  const send = async () => {
    if (!SESSION_NAME.test(target)) return;
    if (await s.inject(draft, target)) {
      setDraft('');
      setTo(null);
      if (target !== s.selected) await s.selectSession(target);
    }
  };

  return (
    <div className="view inbox-view">
      <nav className="sessions" aria-label="Sessions">
        <h2>Sessions</h2>
        {s.sessions.length === 0 && s.status === 'ready' && <p className="muted">None yet.</p>}
        <ul
          tabIndex={0}
          onKeyDown={listKeyHandler(
            s.sessions.map((x) => ({ id: x.name })),
            s.selected,
            (id) => id && void s.selectSession(id),
          )}
        >
          {s.sessions.map((session) => {
            const unread = unreadCount(session);
            return (
              <li key={session.name}>
                <button
                  type="button"
                  className={`session ${session.name === s.selected ? 'selected' : ''}`}
                  onClick={() => void s.selectSession(session.name)}
                  aria-current={session.name === s.selected}
                >
                  <span className="name">{session.name}</span>
                  {unread > 0 ? (
                    <span className="count" aria-label={`${unread} unread`}>
                      {unread}
                    </span>
                  ) : (
                    <span className="count zero">0</span>
                  )}
                </button>
              </li>
            );
          })}
        </ul>
      </nav>
      <section className="messages-pane">
        <ErrorBanner error={s.error} />
        {s.sessions.length === 0 && s.status === 'ready' ? (
          <Teach title="No messages yet">
            <p>
              A session's inbox collects what your webhook hooks' scripts print, scheduled messages and anything you
              send. Write the first message below, or from a terminal:
            </p>
            <pre>
              <code>{hookboxCommand(cli, ['send', '--name', 'default'], ['remember to review the deploy'])}</code>
            </pre>
          </Teach>
        ) : (
          <>
            <header className="pane-header">
              <h2>{s.selected ?? 'Inbox'}</h2>
              <div className="actions">
                {unreadHere > 0 && (
                  <button type="button" className="secondary small" onClick={() => void s.markAllHandled()}>
                    Mark all handled
                  </button>
                )}
                <label className="check">
                  <input
                    type="checkbox"
                    checked={s.showHandled}
                    onChange={(e) => void s.setShowHandled(e.target.checked)}
                  />{' '}
                  Show handled
                </label>
              </div>
            </header>
            <ul
              className="messages"
              tabIndex={0}
              aria-label="Messages"
              onKeyDown={listKeyHandler(shown, selectedMessage, setSelectedMessage)}
            >
              {shown.map((message) => (
                <Message
                  key={message.id}
                  message={message}
                  selected={message.id === selectedMessage}
                  onSelect={() => setSelectedMessage(message.id)}
                  onHandled={() => void s.markHandled(message.id)}
                />
              ))}
            </ul>
            {shown.length === 0 && s.selected && (
              <p className="muted center">
                Nothing {s.showHandled ? '' : 'unread '}in {s.selected}.
              </p>
            )}
          </>
        )}
        <form
          className="compose"
          onSubmit={(e) => {
            e.preventDefault();
            void send();
          }}
        >
          <label className="to">
            To session
            <input
              name="session"
              list="hookbox-sessions"
              value={to ?? s.selected ?? ''}
              placeholder="default"
              onChange={(e) => setTo(e.target.value)}
              aria-invalid={!SESSION_NAME.test(target)}
              title="An existing session, or a new name (letters, digits, '.', '_', '-')"
            />
            <datalist id="hookbox-sessions">
              {s.sessions.map((x) => (
                <option key={x.name} value={x.name} />
              ))}
            </datalist>
          </label>
          <textarea
            aria-label="Message"
            placeholder={`Write a message into ${target || 'a session'}…  (Ctrl+Enter sends)`}
            value={draft}
            rows={2}
            onChange={(e) => setDraft(e.target.value)}
            onKeyDown={(e) => {
              if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
                e.preventDefault();
                void send();
              }
            }}
          />
          <button type="submit" disabled={s.sending || draft.trim() === '' || !SESSION_NAME.test(target)}>
            Send to {target || '…'}
            {s.sessions.some((x) => x.name === target) ? '' : ' (new)'}
          </button>
        </form>
      </section>
    </div>
  );
}
