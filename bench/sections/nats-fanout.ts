// Inbox → inbox between two hubs through a local nats-server with JetStream (durable on both
// sides: the publishing hub's outbox, the stream on disk, the consuming hub's commit before its
// ack). Messages/s for a burst, and the end-to-end latency of single messages (from the inject on
// one hub until the other hub has committed it), median and p99. The peer, in the same run: the
// same messages published with @nats-io/jetstream straight into the stream and consumed by a
// durable consumer with the same settings (explicit ack, 64 unacknowledged), no SQLite on either
// side — the floor for what the Hookbox path adds.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { AckPolicy, jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { resolveSettings } from '../../main/core/config/settings.ts';
import { createHub, type Hub } from '../../main/core/hub.ts';
import { silentLogger } from '../../main/core/logger.ts';
import { createLogNotifier } from '../../main/core/notify/notifier.ts';
import { percentile } from '../lib/inbox-latency.ts';
import { fmt, info, judged, markdownTable, median, type BenchRow, type BenchSection } from '../lib/section.ts';
import { makeTempDir } from '../lib/server-process.ts';

const NATS_SERVER = '/usr/sbin/nats-server';
const BURST = Number(process.env.BENCH_NATS_MESSAGES ?? 2_000);
const SAMPLES = Number(process.env.BENCH_NATS_SAMPLES ?? 200);
/** The target: the Hookbox path keeps at least this share of the bare JetStream round trip's rate. */
const MIN_RATE_SHARE = 0.2;

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function startNats(): Promise<{ url: string; child: ChildProcess }> {
  const port = await freePort();
  const child = spawn(NATS_SERVER, ['-js', '-a', '127.0.0.1', '-p', String(port), '-sd', makeTempDir('nats')], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`nats-server did not start:\n${output}`)), 30_000);
    const check = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('Server is ready')) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout?.on('data', check);
    child.stderr?.on('data', check);
  });
  return { url: `nats://127.0.0.1:${port}`, child };
}

async function startHubWith(toml: string): Promise<Hub> {
  const dir = makeTempDir('nats-hub');
  const configFile = join(dir, 'config.toml');
  writeFileSync(configFile, toml);
  const logger = silentLogger();
  const hub = createHub({
    dataDir: join(dir, 'data'),
    settings: resolveSettings({ env: {}, overrides: { port: 0 } }),
    configFile,
    notifier: createLogNotifier(logger),
    logger,
    env: process.env,
    watchConfig: false,
  });
  await hub.start();
  return hub;
}

/** Resolves with the time each of the next `count` messages for `session` was committed. */
function arrivals(hub: Hub, session: string, count: number): Promise<Map<string, number>> {
  return new Promise((resolve) => {
    const seen = new Map<string, number>();
    const on = (m: { session: string; content: string }) => {
      if (m.session !== session) return;
      seen.set(m.content, performance.now());
      if (seen.size >= count) {
        hub.events.off('message', on);
        resolve(seen);
      }
    };
    hub.events.on('message', on);
  });
}

async function hookboxPath(url: string): Promise<{ rate: number; latencies: number[]; wrong: string[] }> {
  const publisher = await startHubWith(`[nats]\nservers = ["${url}"]\nhost = "ci"\npublish = ["inbox"]\n`);
  const consumer = await startHubWith(
    `[nats]\nservers = ["${url}"]\nhost = "laptop"\n[[nats.subscribe]]\nsubject = "hookbox.inbox.team"\ndurable = "laptop-team"\ninto = "inbox:team"\n`,
  );
  const wrong: string[] = [];
  try {
    const send = (content: string) =>
      publisher.inbox.inject({ session: 'team', source: 'webhook', label: 'bench', content });
    // Warm-up: connected both ends, the stream and the consumer exist.
    const warm = arrivals(consumer, 'team', 1);
    await send('warm-up');
    await warm;
    const burst = arrivals(consumer, 'team', BURST);
    const t0 = performance.now();
    for (let i = 0; i < BURST; i += 100)
      await Promise.all(Array.from({ length: Math.min(100, BURST - i) }, (_, k) => send(`burst ${i + k}`)));
    const seen = await burst;
    const rate = BURST / ((Math.max(...seen.values()) - t0) / 1000);
    const order = consumer.inbox
      .list('team', { limit: BURST + 10 })
      .sort((a, b) => a.seq - b.seq)
      .map((m) => m.content)
      .filter((c) => c.startsWith('burst '));
    const expected = Array.from({ length: BURST }, (_, i) => `burst ${i}`);
    if (order.length !== BURST) wrong.push(`the consuming inbox holds ${order.length} of ${BURST} burst messages`);
    // Sent 100 at a time concurrently: order is checked within what the publisher committed in order.
    const committed = publisher.inbox
      .list('team', { limit: BURST + 10 })
      .sort((a, b) => a.seq - b.seq)
      .map((m) => m.content)
      .filter((c) => c.startsWith('burst '));
    if (JSON.stringify(order) !== JSON.stringify(committed))
      wrong.push('the consuming inbox is not in the order the publisher committed');
    if (new Set(order).size !== expected.length) wrong.push('a burst message is missing or duplicated');
    const latencies: number[] = [];
    for (let i = 0; i < SAMPLES; i++) {
      const one = arrivals(consumer, 'team', 1);
      const sent = performance.now();
      await send(`single ${i}`);
      const at = (await one).get(`single ${i}`);
      if (at === undefined) wrong.push(`single ${i} did not arrive first`);
      else latencies.push(at - sent);
    }
    return { rate, latencies, wrong };
  } finally {
    await consumer.stop();
    await publisher.stop();
  }
}

async function barePath(url: string): Promise<{ rate: number; latencies: number[] }> {
  // The same client options as the hub's link (noAsyncTraces: no Error built per request).
  const nc = await connect({ servers: url, noAsyncTraces: true });
  try {
    const jsm = await jetstreamManager(nc);
    await jsm.streams.add({ name: 'PEER', subjects: ['peer.>'] });
    await jsm.consumers.add('PEER', {
      durable_name: 'peer',
      ack_policy: AckPolicy.Explicit,
      max_ack_pending: 64,
    });
    const js = jetstream(nc);
    const consumer = await js.consumers.get('PEER', 'peer');
    const messages = await consumer.consume({ max_messages: 64 });
    const waiters: Array<(at: number) => void> = [];
    let received = 0;
    void (async () => {
      for await (const m of messages) {
        received += 1;
        m.ack();
        waiters.shift()?.(performance.now());
      }
    })();
    const until = (n: number) =>
      new Promise<number>((resolve) => {
        const check = () => (received >= n ? resolve(performance.now()) : setTimeout(check, 1));
        check();
      });
    const t0 = performance.now();
    for (let i = 0; i < BURST; i++) await js.publish('peer.team', `burst ${i}`, { msgID: `b${i}` });
    const rate = BURST / (((await until(BURST)) - t0) / 1000);
    const latencies: number[] = [];
    for (let i = 0; i < SAMPLES; i++) {
      const arrived = new Promise<number>((resolve) => waiters.push(resolve));
      const sent = performance.now();
      await js.publish('peer.team', `single ${i}`, { msgID: `s${i}` });
      latencies.push((await arrived) - sent);
    }
    await messages.close();
    return { rate, latencies };
  } finally {
    await nc.close();
  }
}

export async function run(): Promise<BenchSection> {
  const title = 'NATS fan-out: inbox → inbox between two hubs through a local nats-server';
  if (!existsSync(NATS_SERVER))
    return {
      title,
      rows: [info('skipped', `${NATS_SERVER} is not installed (.ci/install-system-deps)`)],
      failures: [],
      markdown: `## ${title}\n\nNot measured: ${NATS_SERVER} is not installed.\n`,
    };
  const nats = await startNats();
  try {
    const hookbox = await hookboxPath(nats.url);
    const bare = await barePath(nats.url);
    const rows: BenchRow[] = [
      info('Hookbox: messages/s (burst)', `${fmt.count(Math.round(hookbox.rate))} msg/s`),
      info('Hookbox: latency median', fmt.ms(median(hookbox.latencies))),
      info('Hookbox: latency p99', fmt.ms(percentile(hookbox.latencies, 99))),
      info('bare JetStream: messages/s', `${fmt.count(Math.round(bare.rate))} msg/s`),
      info('bare JetStream: latency median', fmt.ms(median(bare.latencies))),
      info('bare JetStream: latency p99', fmt.ms(percentile(bare.latencies, 99))),
      judged('Hookbox rate / bare rate', hookbox.rate / bare.rate, fmt.ratio, { min: MIN_RATE_SHARE }),
    ];
    const markdown = [
      '## NATS fan-out: inbox → inbox between two hubs',
      '',
      `${fmt.count(BURST)} messages injected into a session on one hub (100 at a time), published from its`,
      'outbox to a local `nats-server -js` and consumed by a second hub into its inbox (commit, then ack),',
      `then ${SAMPLES} single messages timed from the inject to the other hub's commit. The peer: the same`,
      'counts published with @nats-io/jetstream and consumed by a durable consumer with the same settings,',
      'without Hookbox or SQLite on either side. What the Hookbox path pays for: a durable commit (an fsync)',
      'on each side for each group of messages that arrive together, an acknowledgement only after',
      "the consumer's commit is on disk, and publishing one message at a time so that order survives an outage.",
      '',
      markdownTable(rows),
      '',
    ].join('\n');
    return { title, rows, failures: hookbox.wrong, markdown };
  } finally {
    nats.child.kill('SIGTERM');
  }
}
