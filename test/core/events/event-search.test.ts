import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import Database from 'better-sqlite3';
import { pino } from 'pino';
import { migrate, openDatabase } from '../../../main/core/db/database.ts';
import { MIGRATIONS } from '../../../main/core/db/migrations/index.ts';
import { WriteBatcher } from '../../../main/core/db/write-batcher.ts';
import type { HookKind, RecordedEvent } from '../../../main/core/events/event-schema.ts';
import { COUNT_CAP, EventStore, WALK_LIMIT, type EventQuery } from '../../../main/core/events/event-store.ts';
import { SearchIndexer } from '../../../main/core/events/search-indexer.ts';
import { parseConfigText } from '../../../main/core/config/config-file.ts';
import { resolveSettings } from '../../../main/core/config/settings.ts';
import { postEvent, startHub } from '../../helpers/hub-fixture.ts';
import { runCli } from '../../helpers/serve-process.ts';
import { tempDir } from '../../helpers/temp-dir.ts';

// Text search through the trigram index must find exactly what a plain LIKE scan finds, stay in
// step with every way events leave the table, and say when it answered with less than the index.

type Db = Database.Database;

const KINDS: HookKind[] = ['shell', 'git', 'system'];

// Commands and outputs a developer's history holds: unicode, punctuation, LIKE's own wildcards,
// quotes (FTS5 query syntax), whitespace and substrings of each other.
const COMMANDS = [
  'git commit -m "fix: déjà vu in naïve parser"',
  'cargo build --release',
  'npm test -- --grep "50% done"',
  'grep -rn foo_bar src/',
  'echo "漢字かな交じり文" > 日本語.txt',
  'rm -rf ./node_modules && npm ci',
  "ssh deploy@example.com 'systemctl restart api'",
  'python3 -c "print(\\"hello\\")"',
  'ls C:\\Users\\dev\\Desktop',
  'kubectl get pods -n prod | grep CrashLoop',
  'emoji 🎉 party 🎉 time',
  'ÉCOLE École école',
  'a_b%c\\d',
  'make',
];
const OUTPUTS = [
  '',
  'error[E0308]: mismatched types\n  --> src/main.rs:14:20',
  'Compiling hookbox v0.1.0\nFinished release [optimized] target(s) in 42.0s',
  'FAIL test/parser.test.ts › naïve input\nExpected: "x" Received: "y"',
  'Straße und Fußgänger',
  '100% complete; 0 errors, 3 warnings',
  'Permission denied (publickey).',
  'CrashLoopBackOff   5 (2m ago)',
  'ÀÉÎÕÜ àéîõü',
  '"quoted" and \'single\' and `back`',
];
const QUERIES = [
  'git',
  'GIT',
  'déjà',
  'DÉJÀ',
  'naïve',
  'NAÏVE',
  '50%',
  '% d',
  'foo_bar',
  'o_b',
  '漢字',
  '字かな',
  '日本語.txt',
  '🎉 p',
  'École',
  'ÉCOLE',
  'école',
  'a_b%c\\d',
  '\\Users',
  'error',
  'ERROR',
  'e[E0',
  'rs:14',
  'Straße',
  'STRASSE',
  '"quoted"',
  "'single'",
  '`back`',
  'ago)',
  'CrashLoop',
  'crashloop',
  ' && ',
  'release',
  'nothing like this',
  'mak',
  'make',
  'x" R',
  '"',
  '%',
  'ab',
  'é',
  '  ',
  'ss',
];

let nextId = 0;
function event(i: number, receivedAt = new Date(Date.UTC(2026, 0, 1) + i * 60_000)): RecordedEvent {
  nextId += 1;
  return {
    id: `ev-${String(nextId).padStart(8, '0')}`,
    received_at: receivedAt.toISOString(),
    kind: KINDS[i % 3]!,
    command: `${COMMANDS[i % COMMANDS.length]} #${i}`,
    exit_code: i % 4 === 0 ? 1 : 0,
    duration_ms: (i % 7) * 10_000,
    output: OUTPUTS[i % OUTPUTS.length]!,
    metadata: {},
  };
}

function freshStore(): { db: Db; store: EventStore; file: string } {
  const file = join(tempDir(), 'hookbox.db');
  const db = openDatabase(file);
  return { db, store: new EventStore(db), file };
}

function insertAll(db: Db, store: EventStore, events: RecordedEvent[], retention = 1_000_000): void {
  db.transaction(() => {
    for (const e of events) store.insert(e, retention);
  })();
}

function indexAll(db: Db, store: EventStore): void {
  db.transaction(() => {
    while (store.indexNext(1_000) > 0);
  })();
}

/** The reference: a plain LIKE scan of the whole table, newest first. */
function likeScan(db: Db, text: string): string[] {
  const pattern = `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
  return (
    db
      .prepare("SELECT id FROM events WHERE command LIKE ? ESCAPE '\\' OR output LIKE ? ESCAPE '\\' ORDER BY seq DESC")
      .all(pattern, pattern) as { id: string }[]
  ).map((r) => r.id);
}

/** Every page of a query, following the cursors (partial pages included). */
function allPages(
  store: EventStore,
  q: Omit<EventQuery, 'limit'>,
  limit = 7,
): { ids: string[]; pages: ReturnType<EventStore['query']>[] } {
  const pages = [store.query({ ...q, limit })];
  while (pages.at(-1)!.nextSeq !== null) pages.push(store.query({ ...q, limit, beforeSeq: pages.at(-1)!.nextSeq! }));
  return { ids: pages.flatMap((p) => p.events.map((e) => e.id)), pages };
}

/** Rowids the index holds for a trigram every test event has in its command ('#' + digits: ' #'). */
function indexedRowids(db: Db): number[] {
  return (
    db
      .prepare(
        `SELECT rowid FROM events_fts WHERE events_fts MATCH '" #1" OR " #2" OR " #3" OR " #4" OR " #5" OR " #6" OR " #7" OR " #8" OR " #9" OR " #0"' ORDER BY rowid`,
      )
      .all() as { rowid: number }[]
  ).map((r) => r.rowid);
}

function seqs(db: Db, through = Number.MAX_SAFE_INTEGER): number[] {
  return (db.prepare('SELECT seq FROM events WHERE seq <= ? ORDER BY seq').all(through) as { seq: number }[]).map(
    (r) => r.seq,
  );
}

describe('text search through the trigram index', () => {
  test('finds exactly what a LIKE scan finds: unicode, punctuation, wildcards, quotes, substrings', () => {
    const { db, store } = freshStore();
    insertAll(
      db,
      store,
      Array.from({ length: 400 }, (_, i) => event(i)),
    );
    indexAll(db, store);
    assert.equal(store.unindexed(), 0);
    for (const text of QUERIES) {
      const expected = likeScan(db, text);
      const { ids, pages } = allPages(store, { text });
      assert.deepEqual(ids, expected, `search for ${JSON.stringify(text)}`);
      const method = [...text].length >= 3 ? 'index' : 'scan';
      assert.deepEqual(pages[0]!.search, { method, unindexed: 0 }, text);
      assert.equal(pages[0]!.total, expected.length, `total for ${JSON.stringify(text)}`);
      assert.equal(pages[0]!.totalIsLowerBound, false);
    }
    // The queries that must find something do (the corpus is not trivially empty for them).
    for (const text of ['déjà', '漢字', '50%', 'a_b%c\\d', '"quoted"', 'CrashLoop', 'ÉCOLE'])
      assert.ok(likeScan(db, text).length > 0, text);
    db.close();
  });

  test('events the index does not hold yet are found by a scan, and the answer says how many', () => {
    const { db, store } = freshStore();
    insertAll(
      db,
      store,
      Array.from({ length: 300 }, (_, i) => event(i)),
    );
    db.transaction(() => store.indexNext(120))();
    assert.equal(store.indexedThrough(), 120);
    for (const text of ['déjà', 'error', 'CrashLoop', '#29']) {
      const { ids, pages } = allPages(store, { text });
      assert.deepEqual(ids, likeScan(db, text), text);
      assert.deepEqual(pages[0]!.search, { method: 'index', unindexed: 180 });
    }
    indexAll(db, store);
    assert.deepEqual(store.query({ text: 'déjà', limit: 5 }).search, { method: 'index', unindexed: 0 });
    db.close();
  });

  test('a query shorter than 3 characters is a bounded scan, flagged, and its pages continue the walk', () => {
    const { db, store } = freshStore();
    // The only match is the oldest event, more than one walk below the newest.
    const events = Array.from({ length: WALK_LIMIT + 500 }, (_, i) => ({
      ...event(i),
      command: i === 0 ? 'zq' : `cmd ${i}`,
      output: '',
    }));
    insertAll(db, store, events);
    indexAll(db, store);
    const first = store.query({ text: 'zq', limit: 50 });
    assert.deepEqual(first.search, { method: 'scan', unindexed: 0 });
    assert.deepEqual([first.events.length, first.partial, first.totalIsLowerBound, first.total], [0, true, true, 0]);
    assert.notEqual(first.nextSeq, null);
    const { ids } = allPages(store, { text: 'zq' }, 50);
    assert.deepEqual(ids, [events[0]!.id]);
    // Three characters: the index answers at once, counted exactly.
    const indexed = store.query({ text: 'cmd 1', limit: 50 });
    assert.equal(indexed.search?.method, 'index');
    db.close();
  });
});

describe('filters and totals', () => {
  test('failed, long-running and kind, alone and together, match a filter over every event, page by page', () => {
    const { db, store } = freshStore();
    const events = Array.from({ length: 600 }, (_, i) => event(i));
    insertAll(db, store, events);
    indexAll(db, store);
    const newestFirst = [...events].reverse();
    const cases: Omit<EventQuery, 'limit'>[] = [
      { failedOnly: true },
      { kind: 'git' },
      { longerThanMs: 30_000 },
      { failedOnly: true, kind: 'system' },
      { failedOnly: true, longerThanMs: 20_000, kind: 'shell' },
      { kind: 'git', text: 'error' },
      { failedOnly: true, text: 'naïve' },
    ];
    for (const q of cases) {
      const expected = newestFirst
        .filter(
          (e) =>
            (!q.failedOnly || e.exit_code !== 0) &&
            (q.kind === undefined || e.kind === q.kind) &&
            (q.longerThanMs === undefined || e.duration_ms > q.longerThanMs),
        )
        .filter(
          (e) =>
            !q.text ||
            e.command.toLowerCase().includes(q.text.toLowerCase()) ||
            e.output.toLowerCase().includes(q.text.toLowerCase()),
        )
        .map((e) => e.id);
      const { ids, pages } = allPages(store, q, 25);
      assert.ok(expected.length > 0, JSON.stringify(q));
      assert.deepEqual(ids, expected, JSON.stringify(q));
      assert.deepEqual([pages[0]!.total, pages[0]!.totalIsLowerBound], [expected.length, false], JSON.stringify(q));
    }
    db.close();
  });

  test('totals are exact up to the cap, then flagged as a lower bound', () => {
    const { db, store } = freshStore();
    const events = Array.from({ length: COUNT_CAP + 50 }, (_, i) => ({
      ...event(i),
      exit_code: 2,
      kind: (i % 1000 === 0 ? 'git' : 'shell') as HookKind,
    }));
    insertAll(db, store, events);
    indexAll(db, store);
    const failed = store.query({ failedOnly: true, limit: 50 });
    assert.deepEqual(
      [failed.total, failed.totalIsLowerBound, failed.events.length, failed.partial],
      [COUNT_CAP, true, 50, false],
    );
    const git = store.query({ kind: 'git', limit: 50 });
    assert.deepEqual([git.total, git.totalIsLowerBound, git.events.length], [11, false, 11]);
    const everything = store.query({ limit: 50 });
    assert.deepEqual([everything.total, everything.totalIsLowerBound], [COUNT_CAP + 50, false]);
    db.close();
  });
});

describe('the index stays in step with the table', () => {
  test('pruning by count removes pruned events from the index', () => {
    const { db, store } = freshStore();
    insertAll(
      db,
      store,
      Array.from({ length: 200 }, (_, i) => event(i)),
      150,
    );
    indexAll(db, store);
    insertAll(
      db,
      store,
      Array.from({ length: 200 }, (_, i) => event(200 + i)),
      150,
    );
    indexAll(db, store);
    assert.equal(store.count(), 150);
    assert.deepEqual(indexedRowids(db), seqs(db));
    assert.deepEqual(allPages(store, { text: 'déjà' }).ids, likeScan(db, 'déjà'));
    db.close();
  });

  test('an event updated after it was indexed (an agent call completed by its result) is found by its new text only', () => {
    const { db, store } = freshStore();
    const events = Array.from({ length: 20 }, (_, i) => event(i));
    insertAll(db, store, events);
    indexAll(db, store);
    const completed = { ...events[7]!, output: 'zebracorn finished after the tool ran', duration_ms: 1234 };
    db.transaction(() => store.update(completed))();
    assert.deepEqual(
      store.query({ text: 'zebracorn', limit: 10 }).events.map((e) => e.id),
      [completed.id],
    );
    assert.deepEqual(likeScan(db, 'zebracorn'), [completed.id]);
    const before = events[7]!.output;
    if (before.length >= 3)
      assert.ok(
        !store.query({ text: before, limit: 50 }).events.some((e) => e.id === completed.id),
        'the old output no longer matches',
      );
    assert.deepEqual(indexedRowids(db), seqs(db), 'each row once in the index');
  });

  test('pruning by age removes expired events from the index, also those not indexed yet', () => {
    const { db, store } = freshStore();
    insertAll(
      db,
      store,
      Array.from({ length: 300 }, (_, i) => event(i)),
    );
    db.transaction(() => store.indexNext(200))();
    // Events are a minute apart from 2026-01-01 00:00: this cutoff expires the oldest 250.
    const cutoff = new Date(Date.UTC(2026, 0, 1) + 250 * 60_000);
    let removed = 0;
    for (let n = -1; n !== 0; removed += n) n = db.transaction(() => store.pruneReceivedBefore(cutoff, 40))();
    assert.deepEqual([removed, store.count()], [250, 50]);
    assert.deepEqual(indexedRowids(db), []);
    indexAll(db, store);
    assert.deepEqual(indexedRowids(db), seqs(db));
    assert.deepEqual(allPages(store, { text: 'error' }).ids, likeScan(db, 'error'));
    // Everything expires: the positions start again from 1 and are indexed anew.
    db.transaction(() => store.pruneReceivedBefore(new Date(Date.UTC(2030, 0, 1)), 1_000))();
    assert.equal(store.count(), 0);
    insertAll(
      db,
      store,
      Array.from({ length: 20 }, (_, i) => event(i)),
    );
    indexAll(db, store);
    assert.deepEqual(indexedRowids(db), seqs(db));
    assert.deepEqual(allPages(store, { text: 'cargo' }).ids, likeScan(db, 'cargo'));
    db.close();
  });

  test('a database from before the index is migrated, then indexed in the background with progress in the log', async () => {
    const file = join(tempDir(), 'hookbox.db');
    const old = new Database(file);
    old.pragma('journal_mode = WAL');
    migrate(
      old,
      file,
      MIGRATIONS.filter((m) => m.version <= 6),
    );
    assert.equal(old.pragma('user_version', { simple: true }), 6);
    const insert = old.prepare(
      'INSERT INTO events (id, received_at, kind, command, exit_code, duration_ms, output, metadata) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
    );
    const events = Array.from({ length: 12_000 }, (_, i) => event(i));
    old.transaction(() => {
      for (const e of events)
        insert.run(e.id, e.received_at, e.kind, e.command, e.exit_code, e.duration_ms, e.output, '{}');
    })();
    old.close();

    const db = openDatabase(file);
    assert.equal(db.pragma('user_version', { simple: true }), MIGRATIONS.at(-1)?.version);
    const store = new EventStore(db);
    assert.equal(store.unindexed(), 12_000);
    // Before the index is built, searching still finds everything (by a scan, flagged).
    const before = allPages(store, { text: 'naïve' }, 50);
    assert.deepEqual(before.ids, likeScan(db, 'naïve'));
    assert.deepEqual(before.pages[0]!.search, { method: 'index', unindexed: 12_000 });

    const lines: string[] = [];
    const sink = new Writable({ write: (chunk, _enc, done) => done(void lines.push(String(chunk))) });
    const indexer = new SearchIndexer({ store, writes: new WriteBatcher(db), logger: pino({ level: 'info' }, sink) });
    indexer.start();
    await indexer.caughtUp();
    await indexer.stop();
    const messages = lines.map((l) => (JSON.parse(l) as { msg: string }).msg);
    assert.match(messages[0]!, /^search index: indexing 12,000 events in the background/);
    assert.match(messages.at(-1)!, /^search index: done, 12,000 events indexed in \d+ s$/);
    assert.equal(store.unindexed(), 0);
    assert.deepEqual(indexedRowids(db), seqs(db));
    for (const text of ['naïve', 'CrashLoop', '漢字かな']) {
      const { ids, pages } = allPages(store, { text }, 50);
      assert.deepEqual(ids, likeScan(db, text), text);
      assert.deepEqual(pages[0]!.search, { method: 'index', unindexed: 0 });
    }
    db.close();
  });
});

describe('hookbox events --search', () => {
  test('prints the events containing the text, newest first, and says when it scanned', async () => {
    const dataDir = tempDir();
    const db = openDatabase(join(dataDir, 'hookbox.db'));
    const store = new EventStore(db);
    insertAll(
      db,
      store,
      Array.from({ length: 100 }, (_, i) => event(i)),
    );
    db.transaction(() => store.indexNext(60))();
    db.close();
    const env = { XDG_CONFIG_HOME: join(dataDir, 'config') };

    const found = await runCli(['events', '--data-dir', dataDir, '--search', 'CrashLoop', '--json'], env);
    assert.equal(found.code, 0, found.stderr);
    const reference = new Database(join(dataDir, 'hookbox.db'), { readonly: true });
    assert.deepEqual(
      (JSON.parse(found.stdout) as RecordedEvent[]).map((e) => e.id),
      likeScan(reference, 'CrashLoop').slice(0, 20),
    );
    reference.close();
    assert.match(found.stderr, /the search index is catching up: 40 recent events were searched one by one/);

    const table = await runCli(['events', '--data-dir', dataDir, '--search', 'Straße', '--limit', '3'], env);
    assert.equal(table.code, 0, table.stderr);
    const rows = table.stdout.trim().split('\n');
    assert.equal(rows.length, 4); // header + 3
    assert.ok(rows.slice(1).every((r) => / #\d+$/.test(r)));

    const short = await runCli(['events', '--data-dir', dataDir, '--search', 'ß'], env);
    assert.equal(short.code, 0, short.stderr);
    assert.match(short.stderr, /searched without the index \(shorter than 3 characters\)/);

    const none = await runCli(['events', '--data-dir', dataDir, '--search', 'no such text'], env);
    assert.deepEqual([none.code, none.stdout], [0, "no event contains 'no such text'\n"]);
  });
});

describe("retention by age and the window's answer", () => {
  test('history.max_age is a duration; a wrong one names the key', () => {
    const config = parseConfigText('[history]\nmax_age = "90d"\nretention = 5000\n', 'c.toml');
    assert.deepEqual(resolveSettings({ env: {}, config }).history, {
      cacheSize: 500,
      retention: 5_000,
      maxAgeMs: 90 * 86_400_000,
    });
    assert.equal(resolveSettings({ env: {} }).history.maxAgeMs, null);
    assert.throws(
      () => resolveSettings({ env: {}, config: parseConfigText('[history]\nmax_age = "soon"\n', 'c.toml') }),
      /invalid history\.max_age="soon": must be a duration/,
    );
    assert.throws(
      () => resolveSettings({ env: {}, config: parseConfigText('[history]\nmax_age = "10s"\n', 'c.toml') }),
      /history\.max_age="10s": must be at least a minute/,
    );
  });

  test('a hub with history.max_age prunes expired events at start; queryEvents says how it searched and counted', async () => {
    const dataDir = tempDir();
    let now = Date.UTC(2026, 0, 1);
    const clock = { now: () => new Date(now) };
    const first = await startHub({ dataDir, clock });
    for (let i = 0; i < 5; i++)
      assert.equal(
        (await postEvent(first.url, { kind: 'shell', command: `old build ${i}`, exit_code: 1, output: 'error: naïve' }))
          .status,
        200,
      );
    await first.hub.stop();

    now += 100 * 86_400_000;
    const second = await startHub({ dataDir, clock, edit: (s) => (s.history.maxAgeMs = 90 * 86_400_000) });
    assert.equal(
      (await postEvent(second.url, { kind: 'git', command: 'git commit -m "new build"', exit_code: 1 })).status,
      200,
    );
    const deadline = Date.now() + 20_000;
    while (second.hub.eventLog.count() !== 1) {
      assert.ok(Date.now() < deadline, `still ${second.hub.eventLog.count()} events`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    await second.hub.searchIndexer.caughtUp();
    const page = await second.hub.app.handlers.queryEvents({ text: 'build', failed_only: true });
    assert.deepEqual(
      page.events.map((e) => e.command),
      ['git commit -m "new build"'],
    );
    assert.deepEqual(
      [page.total, page.total_is_lower_bound, page.partial, page.search],
      [1, false, false, { method: 'index', unindexed: 0 }],
    );
    const short = await second.hub.app.handlers.queryEvents({ text: 'gi' });
    assert.equal(short.search?.method, 'scan');
    // Pruned events left the search index too.
    assert.deepEqual((await second.hub.app.handlers.queryEvents({ text: 'naïve' })).events, []);
  });
});
