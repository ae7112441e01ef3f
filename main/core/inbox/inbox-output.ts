import type { InboxMessage } from './inbox.ts';

// How a consumer writes inbox messages out: Octomind's JSONL records (`hookbox run --format jsonl`,
// the session SSE stream) or plain text for a person.

/** Octomind's JSONL shape for an injected message, also sent on the SSE stream. */
export function injectedRecord(message: InboxMessage) {
  return {
    type: 'injected',
    source_kind: message.source,
    source_label: message.source_label,
    content: message.content,
    session_id: message.session,
    message_id: message.id,
    created_at: message.created_at,
  };
}

export type InboxOutputFormat = 'jsonl' | 'plain';

/** One message as `hookbox run` prints it. */
export function formatInboxMessage(message: InboxMessage, format: InboxOutputFormat): string {
  if (format === 'jsonl') return `${JSON.stringify(injectedRecord(message))}\n`;
  return `[${message.created_at}] ${message.source} ${message.source_label} → ${message.session}\n${message.content}\n\n`;
}
