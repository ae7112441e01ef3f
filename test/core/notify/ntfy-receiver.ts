import type { ServerResponse } from 'node:http';
import { startReceiver, type ReceivedRequest } from '../../helpers/http-receiver.ts';

// A local stand-in for an ntfy server that accepts only what ntfy's accepts for a JSON publish
// (source: ntfy server/server.go, transformBodyJSON and handlePublish; docs.ntfy.sh/publish
// "Publish as JSON"): a PUT or POST to the root URL whose body decodes into ntfy's publishMessage
// struct (Go's decoder: a field of the wrong JSON type is a 400, unknown fields are ignored); the
// topic must match ^[-_A-Za-z0-9]{1,64}$; a priority other than 0 becomes the X-Priority header,
// valid only as 1–5; a body to /TOPIC is taken as the raw message text (which is what a wrong
// client would see on the phone), so this receiver refuses it outright. Topics listed in
// `protected` need the Authorization header given.

const TOPIC = /^[-_A-Za-z0-9]{1,64}$/;
const STRING_FIELDS = ['topic', 'message', 'title', 'attach', 'filename', 'click', 'icon', 'email', 'call', 'delay'];

export interface NtfyPublished {
  topic: string;
  title: string;
  message: string;
  priority: number;
  tags: string[];
  click: string | null;
  markdown: boolean;
  authorization: string | null;
}

function refuse(res: ServerResponse, status: number, code: number, error: string): void {
  res.statusCode = status;
  res.setHeader('content-type', 'application/json');
  res.end(JSON.stringify({ code, http: status, error }));
}

export async function startNtfyReceiver(options: { protected?: Record<string, string> } = {}) {
  const published: NtfyPublished[] = [];
  const refused: { request: ReceivedRequest; error: string }[] = [];
  /** Answers to give instead of accepting (an outage), one per request. */
  const outage: number[] = [];
  const receiver = await startReceiver((req, res) => {
    const no = (status: number, code: number, error: string) => {
      refused.push({ request: req, error });
      refuse(res, status, code, error);
    };
    const down = outage.shift();
    if (down !== undefined) return refuse(res, down, down * 100, 'unavailable');
    if (req.method !== 'POST' && req.method !== 'PUT') return no(405, 40500, 'method not allowed');
    if (req.url !== '/') return no(400, 40099, 'test receiver: a JSON publish goes to the root URL');
    let m: Record<string, unknown>;
    try {
      m = JSON.parse(req.body);
    } catch {
      return no(400, 40017, 'invalid request: request body must be message JSON');
    }
    if (typeof m !== 'object' || m === null || Array.isArray(m)) return no(400, 40017, 'invalid JSON');
    for (const field of STRING_FIELDS)
      if (m[field] !== undefined && m[field] !== null && typeof m[field] !== 'string')
        return no(400, 40017, `invalid JSON: ${field} must be a string`);
    if (m.priority !== undefined && m.priority !== null && !Number.isInteger(m.priority))
      return no(400, 40017, 'invalid JSON: priority must be an integer');
    if (m.markdown !== undefined && m.markdown !== null && typeof m.markdown !== 'boolean')
      return no(400, 40017, 'invalid JSON: markdown must be a boolean');
    if (
      m.tags !== undefined &&
      m.tags !== null &&
      !(Array.isArray(m.tags) && m.tags.every((t) => typeof t === 'string'))
    )
      return no(400, 40017, 'invalid JSON: tags must be an array of strings');
    const topic = typeof m.topic === 'string' ? m.topic : '';
    if (!TOPIC.test(topic)) return no(400, 40009, 'invalid topic');
    const priority = (m.priority as number | undefined) ?? 0;
    if (priority !== 0 && (priority < 1 || priority > 5)) return no(400, 40007, 'invalid priority');
    const needed = options.protected?.[topic];
    const authorization = typeof req.headers.authorization === 'string' ? req.headers.authorization : null;
    if (needed !== undefined && authorization !== needed) return no(403, 40301, 'forbidden');
    published.push({
      topic,
      title: (m.title as string | undefined) ?? '',
      message: (m.message as string | undefined) || 'triggered',
      priority: priority || 3,
      tags: (m.tags as string[] | undefined) ?? [],
      click: (m.click as string | undefined) ?? null,
      markdown: (m.markdown as boolean | undefined) ?? false,
      authorization,
    });
    res.setHeader('content-type', 'application/json');
    res.end(
      JSON.stringify({ id: `m${published.length}`, time: Math.floor(Date.now() / 1000), event: 'message', topic }),
    );
  });
  return { ...receiver, published, refused, outage };
}
