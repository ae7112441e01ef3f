import { Type, type Static } from 'typebox';
import type { RecordedEvent } from '../events/event-schema.ts';
import { describeSchemaIssues } from '../util/schema-errors.ts';
import { PRIORITIES, type DesktopNotification } from './notifier.ts';
import { parseJsonInput } from '../util/json-input.ts';
import { schemaCheck } from '../util/schema-check.ts';

// The two optional remote services agentd knows. Both are called with a timeout; neither can
// hold up ingestion (they run after the event is acknowledged) and any failure is reported to
// the caller to record, never thrown past it.

export type FetchLike = typeof fetch;

/** The answer of agentd's BAML function AnalyzeShellEvent. */
export const AnalysisAnswer = Type.Object({
  should_notify: Type.Boolean(),
  notification_title: Type.Optional(Type.String()),
  notification_message: Type.Optional(Type.String()),
  priority: Type.Optional(Type.Enum([...PRIORITIES])),
  reasoning: Type.Optional(Type.String()),
  indicates_problem: Type.Optional(Type.Boolean()),
  suggested_actions: Type.Optional(Type.Array(Type.String())),
});
export type AnalysisAnswer = Static<typeof AnalysisAnswer>;
const checkAnswer = schemaCheck(AnalysisAnswer);

/**
 * A bare server URL (`http://host:2024`) gets BAML's function route appended; a URL with a path
 * is used as given.
 */
export function analysisEndpoint(url: string): string {
  const parsed = new URL(url);
  if (parsed.pathname === '/' || parsed.pathname === '') parsed.pathname = '/call/AnalyzeShellEvent';
  return parsed.toString();
}

async function postJson(fetchImpl: FetchLike, url: string, body: unknown, timeoutMs: number): Promise<Response> {
  return fetchImpl(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(timeoutMs),
  });
}

function describeFailure(error: unknown, timeoutMs: number): string {
  const name = (error as Error).name;
  if (name === 'TimeoutError' || name === 'AbortError') return `no answer within ${timeoutMs} ms`;
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? (error as Error).message;
}

export async function analyzeEvent(
  fetchImpl: FetchLike,
  url: string,
  event: RecordedEvent,
  timeoutMs: number,
): Promise<{ ok: true; answer: AnalysisAnswer } | { ok: false; error: string }> {
  try {
    const response = await postJson(fetchImpl, analysisEndpoint(url), { event }, timeoutMs);
    if (!response.ok) return { ok: false, error: `HTTP ${response.status}` };
    const body = parseJsonInput(await response.text(), 'the analysis answer');
    if (!checkAnswer.Check(body)) {
      return {
        ok: false,
        error: `invalid answer: ${describeSchemaIssues([...checkAnswer.Errors(body)])?.message ?? 'unexpected shape'}`,
      };
    }
    return { ok: true, answer: body };
  } catch (error) {
    return { ok: false, error: describeFailure(error, timeoutMs) };
  }
}

/** Delivers a notification to AGENTD_NOTIFY_SERVICE_URL as `{title, message, priority, event_id}`. */
export async function postToNotifyService(
  fetchImpl: FetchLike,
  url: string,
  notification: DesktopNotification,
  timeoutMs: number,
): Promise<{ ok: true } | { ok: false; error: string }> {
  try {
    const response = await postJson(
      fetchImpl,
      url,
      {
        title: notification.title,
        message: notification.message,
        priority: notification.priority,
        event_id: notification.eventId,
      },
      timeoutMs,
    );
    // Drain the body so the connection can be reused.
    await response.arrayBuffer().catch(() => undefined);
    return response.ok ? { ok: true } : { ok: false, error: `HTTP ${response.status}` };
  } catch (error) {
    return { ok: false, error: describeFailure(error, timeoutMs) };
  }
}
