import { Agent, request } from 'node:http';
import { httpRequest } from './server-process.ts';

// POST to a webhook hook → the message in a consumer's hands, sequentially, one post at a time.

export interface LatencyResult {
  samples: number[];
  wrong: string[];
}

export interface PostToInboxOptions {
  /** The hub's API. */
  api: string;
  hookUrl: string;
  token: string;
  /** The session the hook injects into. */
  session: string;
  posts: number;
  body: (i: number) => string;
  /** The message content the hook's script produces. */
  expected: string;
}

/**
 * Sequential posts, each while a consumer is parked on the long poll (a keep-alive connection,
 * the poll sent 20 ms before the POST so it is waiting server-side). Timed from the start of the
 * POST to the consumer holding the claimed message; the message is then acknowledged.
 */
export async function measurePostToInbox(options: PostToInboxOptions): Promise<LatencyResult> {
  const { api, session } = options;
  const consumer = new Agent({ keepAlive: true, maxSockets: 1 });
  const auth = { authorization: `Bearer ${options.token}` };
  const samples: number[] = [];
  const wrong: string[] = [];
  const poll = (): Promise<{ status: number; body: string; at: number }> =>
    new Promise((resolve, reject) => {
      const req = request(`${api}/sessions/${session}/next?wait=30`, { agent: consumer, headers: auth }, (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text, at: performance.now() }));
        res.on('error', reject);
      });
      req.on('error', reject);
      req.end();
    });
  try {
    for (let i = 0; i < options.posts; i++) {
      const received = poll();
      await new Promise((resolve) => setTimeout(resolve, 20));
      const sent = performance.now();
      const answer = httpRequest(options.hookUrl, 'POST', options.body(i));
      const got = await received;
      const hook = await answer;
      if (hook.status !== 200) wrong.push(`post ${i}: hook answered ${hook.status} ${hook.body}`);
      if (got.status !== 200) {
        wrong.push(`post ${i}: long poll answered ${got.status} ${got.body}`);
        continue;
      }
      const message = (JSON.parse(got.body) as { message: { id: string; content: string } }).message;
      if (message.content !== options.expected)
        wrong.push(`post ${i}: consumer got ${JSON.stringify(message.content)}`);
      samples.push(got.at - sent);
      const ack = await httpRequest(`${api}/sessions/${session}/messages/${message.id}/ack`, 'POST', '', {
        agent: consumer,
        headers: { ...auth, 'content-type': 'text/plain' },
      });
      if (ack.status !== 200) wrong.push(`post ${i}: ack answered ${ack.status} ${ack.body}`);
    }
  } finally {
    consumer.destroy();
  }
  return { samples, wrong };
}

export function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;
}
