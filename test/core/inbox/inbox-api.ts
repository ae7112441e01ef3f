// A small client for the hub's session/schedule API, the way a consumer (an agent, the UI) uses
// it: plain HTTP with the control token. The tests assert on what comes back over the wire.

export interface WireMessage {
  seq: number;
  id: string;
  session: string;
  source: string;
  source_label: string;
  content: string;
  created_at: string;
  available_at: string;
  state: 'queued' | 'claimed' | 'acked';
  claims: number;
  acked_at: string | null;
}

export interface WireSession {
  name: string;
  created_at: string;
  queued: number;
  claimed: number;
  acked: number;
  last_message_at: string | null;
}

export interface InboxApi {
  /** Raw authorised request. */
  call: (path: string, init?: RequestInit) => Promise<Response>;
  inject: (session: string, body: Record<string, unknown>) => Promise<{ status: number; json: any }>;
  /** GET /sessions/{name}/next; `message` is undefined on 204. */
  next: (
    session: string,
    query?: { wait?: number; lease?: number },
    signal?: AbortSignal,
  ) => Promise<{ status: number; message: WireMessage | undefined }>;
  ack: (session: string, id: string, claim?: number) => Promise<{ status: number; json: any }>;
  list: (session: string, query?: string) => Promise<WireMessage[]>;
  sessions: () => Promise<WireSession[]>;
}

export function inboxApi(baseUrl: string, token: string): InboxApi {
  const call = (path: string, init: RequestInit = {}) =>
    fetch(`${baseUrl}${path}`, {
      ...init,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...(init.headers ?? {}) },
    });
  return {
    call,
    async inject(session, body) {
      const res = await call(`/sessions/${encodeURIComponent(session)}/messages`, {
        method: 'POST',
        body: JSON.stringify(body),
      });
      return { status: res.status, json: await res.json() };
    },
    async next(session, query = {}, signal) {
      const params = new URLSearchParams({
        wait: String(query.wait ?? 0),
        ...(query.lease !== undefined ? { lease: String(query.lease) } : {}),
      });
      const res = await call(`/sessions/${encodeURIComponent(session)}/next?${params}`, signal ? { signal } : {});
      if (res.status === 204) return { status: 204, message: undefined };
      const json = (await res.json()) as { message?: WireMessage };
      if (res.status !== 200) throw new Error(`GET next: HTTP ${res.status} ${JSON.stringify(json)}`);
      return { status: res.status, message: json.message };
    },
    async ack(session, id, claim) {
      const res = await call(
        `/sessions/${encodeURIComponent(session)}/messages/${encodeURIComponent(id)}/ack${claim ? `?claim=${claim}` : ''}`,
        { method: 'POST' },
      );
      return { status: res.status, json: await res.json() };
    },
    async list(session, query = '') {
      const res = await call(`/sessions/${encodeURIComponent(session)}/inbox${query ? `?${query}` : ''}`);
      const json = (await res.json()) as { messages: WireMessage[] };
      if (res.status !== 200) throw new Error(`GET inbox: HTTP ${res.status} ${JSON.stringify(json)}`);
      return json.messages;
    },
    async sessions() {
      const res = await call('/sessions');
      return ((await res.json()) as { sessions: WireSession[] }).sessions;
    },
  };
}

/** Claims and acknowledges everything deliverable now, returning it in the order it came. */
export async function drain(api: InboxApi, session: string): Promise<WireMessage[]> {
  const got: WireMessage[] = [];
  for (;;) {
    const { message } = await api.next(session, { wait: 0 });
    if (!message) return got;
    got.push(message);
    const acked = await api.ack(session, message.id);
    if (acked.status !== 200) throw new Error(`ack ${message.id}: HTTP ${acked.status} ${JSON.stringify(acked.json)}`);
  }
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
