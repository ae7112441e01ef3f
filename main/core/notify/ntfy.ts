import { Type, type Static } from 'typebox';
import type { NtfySettings } from '../config/settings-schema.ts';
import type { Priority } from './notifier.ts';

// ntfy (https://ntfy.sh or self-hosted), natively: a notification becomes ntfy's own JSON publish
// request, POSTed to the server's root URL (docs.ntfy.sh/publish "Publish as JSON"; the server's
// transformBodyJSON turns it into a publish on `topic`). The server refuses a topic outside
// [-_A-Za-z0-9]{1,64} and any priority that is not an integer 1–5; the message is at most
// 4,096 bytes (ntfy's default message-size-limit; longer bodies would become attachments).
// Requests go through the outbox (channel 'ntfy'): an outage delays them, never loses them.

export const NTFY_TOPIC_PATTERN = '^[-_A-Za-z0-9]{1,64}$';
export const NTFY_MESSAGE_LIMIT_BYTES = 4096;

/** The JSON body ntfy accepts at its root URL (the fields Hookbox sends). */
export const NtfyPublish = Type.Object(
  {
    topic: Type.String({ pattern: NTFY_TOPIC_PATTERN }),
    title: Type.Optional(Type.String()),
    message: Type.Optional(Type.String()),
    priority: Type.Optional(Type.Integer({ minimum: 1, maximum: 5 })),
    tags: Type.Optional(Type.Array(Type.String())),
    click: Type.Optional(Type.String()),
    markdown: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);
export type NtfyPublish = Static<typeof NtfyPublish>;

const PRIORITY: Record<Priority, number> = { low: 2, normal: 3, high: 4, urgent: 5 };

/** ntfy's 1 (min) … 5 (max) from Hookbox's priority. */
export function ntfyPriority(priority: Priority): number {
  return PRIORITY[priority];
}

/** Emoji shortcodes (docs.ntfy.sh/emojis) for the rule that raised it; other words show as text tags. */
export function ntfyTags(rule: string, priority: Priority): string[] {
  if (rule === 'failure') return ['x'];
  if (rule === 'long_running') return priority === 'high' ? ['x'] : ['white_check_mark'];
  if (rule.startsWith('lifecycle:')) return priority === 'high' || priority === 'urgent' ? ['warning'] : ['bell'];
  if (rule.includes(':')) return ['robot', 'question'];
  return priority === 'high' || priority === 'urgent' ? ['warning'] : ['bell'];
}

function clipBytes(text: string, max: number): string {
  if (Buffer.byteLength(text) <= max) return text;
  let out = text.slice(0, max);
  while (Buffer.byteLength(`${out}…`) > max) out = out.slice(0, -1);
  return `${out}…`;
}

/** Whether `minute` (of the day) is inside [start, end), the span wrapping past midnight when end < start. */
export function inQuietHours(quiet: { start: number; end: number }, minute: number): boolean {
  if (quiet.start === quiet.end) return false;
  return quiet.start < quiet.end
    ? minute >= quiet.start && minute < quiet.end
    : minute >= quiet.start || minute < quiet.end;
}

/** "22:00-07:00" → minutes of the day; null when malformed. */
export function parseQuietHours(text: string): { start: number; end: number } | null {
  const m = /^\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*$/.exec(text);
  if (!m) return null;
  const [h1, m1, h2, m2] = [m[1], m[2], m[3], m[4]].map(Number) as [number, number, number, number];
  if (h1 > 23 || h2 > 23 || m1 > 59 || m2 > 59) return null;
  return { start: h1 * 60 + m1, end: h2 * 60 + m2 };
}

export function ntfyMessage(
  settings: NtfySettings,
  n: { title: string; message: string; priority: Priority; rule: string; itemId: string; host: string; quiet: boolean },
): NtfyPublish {
  return {
    topic: settings.topic,
    title: n.title,
    message: clipBytes(n.message || n.title, NTFY_MESSAGE_LIMIT_BYTES),
    priority: n.quiet ? 1 : ntfyPriority(n.priority),
    // The host as a plain-text tag: which machine it came from.
    tags: [...ntfyTags(n.rule, n.priority), n.host],
    ...(settings.clickUrl ? { click: `${settings.clickUrl.replace(/\/+$/, '')}/#item=${n.itemId}` } : {}),
    markdown: false,
  };
}

/** The Authorization header: an access token (Bearer) or user and password (Basic). */
export function ntfyHeaders(settings: NtfySettings): Record<string, string> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (settings.token) headers.authorization = `Bearer ${settings.token}`;
  else if (settings.user !== undefined && settings.password !== undefined)
    headers.authorization = `Basic ${Buffer.from(`${settings.user}:${settings.password}`).toString('base64')}`;
  return headers;
}
