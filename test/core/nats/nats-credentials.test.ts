// Credentials against a real nats-server in operator mode (an operator JWT, `resolver: MEMORY`
// with the account JWTs preloaded), the keys and JWTs made here with @nats-io/nkeys and
// @nats-io/jwt as `nsc` would: a `.creds` file (user JWT + NKey seed) publishes and subscribes; an
// expired user JWT, or a user of an account the server does not trust, is one clear log line and
// a state in /health while the hub keeps serving; the file's content never reaches the log; `~`
// in the path expands; a missing, unreadable or malformed file is refused at config load.
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { describe, test } from 'node:test';
import { encodeAccount, encodeOperator, encodeUser, fmtCreds } from '@nats-io/jwt';
import { createAccount, createOperator, createUser, type KeyPair } from '@nats-io/nkeys';
import { pino } from 'pino';
import { parseToml } from '../../../main/core/config/config-file.ts';
import { parseNatsConfig } from '../../../main/core/nats/nats-config.ts';
import { startHub, type RunningHub } from '../../helpers/hub-fixture.ts';
import { eventually } from '../../helpers/http-receiver.ts';
import { tempDir } from '../../helpers/temp-dir.ts';
import { natsServerMissing, startNatsServer } from './nats-server.ts';

const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);

/** An operator, a system account and a team account with JetStream, as the server's config. */
async function operatorMode(dir: string) {
  const operator = createOperator();
  const system = createAccount();
  const team = createAccount();
  // -1: no limit. An account JWT's limits default to 0 (no connection, no subscription).
  const limits = {
    ...{ conn: -1, leaf: -1, subs: -1, data: -1, payload: -1, imports: -1, exports: -1, wildcards: true },
    ...{ mem_storage: -1, disk_storage: -1, streams: -1, consumer: -1 },
  };
  const conf = join(dir, 'nats.conf');
  writeFileSync(
    conf,
    [
      `operator: ${await encodeOperator('hookbox-test', operator)}`,
      'resolver: MEMORY',
      `system_account: ${system.getPublicKey()}`,
      'resolver_preload: {',
      `  ${system.getPublicKey()}: ${await encodeAccount('SYS', system, {}, { signer: operator })}`,
      `  ${team.getPublicKey()}: ${await encodeAccount('team', team, { limits }, { signer: operator })}`,
      '}',
      '',
    ].join('\n'),
  );
  /** A user of `account` (default: the team) written as a .creds file; `exp` in seconds since 1970. */
  const creds = async (path: string, options: { account?: KeyPair; exp?: number } = {}) => {
    const user = createUser();
    const jwt = await encodeUser('hookbox', user, options.account ?? team, {}, options.exp ? { exp: options.exp } : {});
    const content = fmtCreds(jwt, user);
    mkdirSync(join(path, '..'), { recursive: true });
    writeFileSync(path, content, { mode: 0o600 });
    return { path, jwt, seed: text(user.getSeed()), content: text(content) };
  };
  return { conf, creds };
}

/** A hub whose every log record (the whole JSON, not only the message) is kept. */
async function hubWith(toml: string, env: NodeJS.ProcessEnv = {}) {
  const configFile = join(tempDir(), 'config.toml');
  writeFileSync(configFile, toml);
  const records: string[] = [];
  const logger = pino(
    new Writable({
      write(chunk: Buffer, _encoding, done) {
        records.push(chunk.toString());
        done();
      },
    }),
  );
  const hub: RunningHub = await startHub({ configFile, logger, env });
  const messages = () => records.map((r) => (JSON.parse(r) as { msg: string }).msg);
  return { ...hub, records, messages };
}

const inboxToml = (url: string, credentials: string) =>
  `[nats]\nservers = ["${url}"]\ncredentials = "${credentials}"\nhost = "ci-box"\npublish = ["inbox"]\n`;

describe('NATS credentials in operator mode', { skip: natsServerMissing }, () => {
  test('a .creds file publishes and subscribes; ~ in its path expands; its content is never logged', async () => {
    const dir = tempDir();
    const { conf, creds } = await operatorMode(dir);
    const nats = await startNatsServer(['-c', conf]);
    const publisherCreds = await creds(join(dir, 'ci.creds'));
    const home = tempDir();
    const laptopCreds = await creds(join(home, '.config/hookbox/team.creds'));
    const publisher = await hubWith(inboxToml(nats.url, publisherCreds.path));
    const consumer = await hubWith(
      `[nats]\nservers = ["${nats.url}"]\ncredentials = "~/.config/hookbox/team.creds"\nhost = "laptop"\n\n` +
        '[[nats.subscribe]]\nsubject = "hookbox.inbox.team-ci"\ndurable = "laptop-team-ci"\ninto = "inbox:team-ci"\n',
      { HOME: home },
    );
    await eventually(
      () => publisher.hub.natsStatus()?.state === 'connected' && consumer.hub.natsStatus()?.state === 'connected',
      'both connected with their .creds',
    ).catch((e) => {
      throw new Error(`${e.message}\n${publisher.messages().join('\n')}\n${consumer.messages().join('\n')}`);
    });
    for (let i = 0; i < 3; i++)
      await publisher.hub.inbox.inject({
        session: 'team-ci',
        source: 'webhook',
        label: 'github',
        content: `push #${i}`,
      });
    const received = () =>
      consumer.hub.inbox
        .list('team-ci')
        .sort((a, b) => a.seq - b.seq)
        .map((m) => m.content);
    await eventually(() => received().length === 3, 'three messages through the operator-mode account');
    assert.deepEqual(received(), ['push #0', 'push #1', 'push #2']);

    for (const [hub, secret] of [
      [publisher, publisherCreds],
      [consumer, laptopCreds],
    ] as const) {
      const log = hub.records.join('');
      assert.ok(hub.records.length > 0);
      assert.ok(!log.includes(secret.jwt), 'the user JWT is not in the log');
      assert.ok(!log.includes(secret.seed), 'the seed is not in the log');
      assert.ok(!JSON.stringify(await (await fetch(`${hub.url}/health`)).json()).includes(secret.seed));
    }
  });

  test('an expired user JWT, and a user of an account the server does not trust: one clear line, /health, local serving', async () => {
    const dir = tempDir();
    const { conf, creds } = await operatorMode(dir);
    const nats = await startNatsServer(['-c', conf]);
    const expiredAt = Math.floor(Date.now() / 1000) - 3600;
    const expired = await creds(join(dir, 'expired.creds'), { exp: expiredAt });
    const stranger = await creds(join(dir, 'stranger.creds'), { account: createAccount() });

    for (const [secret, reason] of [
      [
        expired,
        new RegExp(
          `Authorization Violation.*\\(the user JWT in ${expired.path} expired at ${new Date(expiredAt * 1000).toISOString()}\\)`,
        ),
      ],
      [stranger, /Authorization Violation/],
    ] as const) {
      const hub = await hubWith(inboxToml(nats.url, secret.path));
      await eventually(() => hub.hub.natsStatus()?.state === 'error', 'the error state');
      const health = (await (await fetch(`${hub.url}/health`)).json()) as { status: string; nats: { error: string } };
      assert.equal(health.status, 'ok');
      assert.match(health.nats.error, reason);
      const lines = hub.messages().filter((l) => l.startsWith('NATS:'));
      assert.equal(lines.length, 1, lines.join('\n'));
      assert.match(lines[0]!, /^NATS: cannot connect to nats:\/\/127\.0\.0\.1:\d+: /);
      assert.match(lines[0]!, reason);
      assert.match(lines[0]!, /; the hub keeps serving locally and retries$/);
      const log = hub.records.join('');
      assert.ok(!log.includes(secret.jwt) && !log.includes(secret.seed), 'no secret in the log');
      // Still serving: the message is stored and waits in the outbox.
      await hub.hub.inbox.inject({ session: 'team-ci', source: 'webhook', label: 'github', content: 'kept' });
      assert.equal(hub.hub.natsStatus()?.pending, 1);
    }
  });
});

describe('NATS NKey credentials', { skip: natsServerMissing }, () => {
  test('an NKey the server does not know: one clear line, /health, and the seed never logged', async () => {
    const dir = tempDir();
    const known = createUser();
    const conf = join(dir, 'nats.conf');
    writeFileSync(conf, `authorization { users = [ { nkey: ${known.getPublicKey()} } ] }\n`);
    const nats = await startNatsServer(['-c', conf]);
    const other = createUser();
    const seedFile = join(dir, 'other.nk');
    writeFileSync(seedFile, `${text(other.getSeed())}\n`, { mode: 0o600 });
    const hub = await hubWith(`[nats]\nservers = ["${nats.url}"]\nnkey = "${seedFile}"\npublish = ["events"]\n`);
    await eventually(() => hub.hub.natsStatus()?.state === 'error', 'the error state');
    const lines = hub.messages().filter((l) => l.startsWith('NATS:'));
    assert.equal(lines.length, 1, lines.join('\n'));
    assert.match(lines[0]!, /cannot connect to .*Authorization Violation/);
    assert.match(((await (await fetch(`${hub.url}/health`)).json()) as any).nats.error, /Authorization Violation/);
    assert.ok(!hub.records.join('').includes(text(other.getSeed())), 'the seed is not in the log');
  });
});

describe('NATS credentials at config load', () => {
  const parse = (toml: string, env: NodeJS.ProcessEnv = {}) =>
    parseNatsConfig(parseToml(toml).nats, { file: 'config.toml', env });
  const withCreds = (path: string) => `[nats]\nservers = ["nats://h:4222"]\ncredentials = "${path}"\n`;
  const refused = (toml: string) => {
    try {
      parse(toml);
    } catch (error) {
      return (error as Error).message;
    }
    return 'accepted';
  };

  test('~ expands to $HOME; ${VAR} works too', async () => {
    const dir = tempDir();
    const { creds } = await operatorMode(dir);
    const home = tempDir();
    await creds(join(home, '.config/hookbox/team.creds'));
    const auth = parse(withCreds('~/.config/hookbox/team.creds'), { HOME: home })?.auth;
    assert.equal(auth?.kind, 'creds');
    assert.equal(auth?.kind === 'creds' && auth.file, join(home, '.config/hookbox/team.creds'));
    const viaEnv = parse(withCreds('${TEAM_CREDS}'), { TEAM_CREDS: join(home, '.config/hookbox/team.creds') })?.auth;
    assert.equal(viaEnv?.kind === 'creds' && viaEnv.expiresAt, null);
  });

  test('a missing, unreadable or malformed .creds file (or NKey seed file) is refused, naming the key', async () => {
    const dir = tempDir();
    const { creds } = await operatorMode(dir);
    assert.equal(
      refused(withCreds(join(dir, 'missing.creds'))),
      `config.toml: nats.credentials: cannot read ${dir}/missing.creds: ENOENT`,
    );
    assert.throws(
      () => parse(withCreds('~/none.creds'), { HOME: dir }),
      /nats\.credentials: cannot read .*\/none\.creds/,
    );
    // A directory where the file should be (the tests run as root, so a mode cannot make it unreadable).
    assert.throws(() => parse(withCreds(dir)), new RegExp(`nats\\.credentials: cannot read ${dir}: EISDIR`));

    const good = await creds(join(dir, 'good.creds'));
    const onlyJwt = join(dir, 'only-jwt.creds');
    writeFileSync(onlyJwt, good.content.slice(0, good.content.indexOf('*')));
    const message = refused(withCreds(onlyJwt));
    assert.match(message, /^config\.toml: nats\.credentials: .*only-jwt\.creds holds no user NKey seed block/);
    assert.ok(!message.includes(good.jwt), 'the JWT is not quoted');
    const notCreds = join(dir, 'not.creds');
    writeFileSync(notCreds, 'token=abc\n');
    assert.match(refused(withCreds(notCreds)), /nats\.credentials: .*not\.creds holds no user JWT block/);

    const badSeed = join(dir, 'bad.nk');
    writeFileSync(badSeed, 'not-a-seed\n');
    assert.throws(
      () => parse(`[nats]\nservers = ["nats://h:4222"]\nnkey = "${badSeed}"\n`),
      /config\.toml: nats\.nkey: .*bad\.nk holds no user NKey seed/,
    );
  });
});
