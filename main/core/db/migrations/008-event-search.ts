import type { Migration } from './migration.ts';

// A history of a million events must answer as fast as one of ten thousand (issue 19).
//
// - events_fts: a trigram index (any substring of 3+ characters, any language) over command and
//   output. Contentless (the text stays in events only) with contentless_delete, so pruning
//   removes a row by its rowid without re-reading its text; detail=none keeps it small: a search
//   ANDs the query's trigrams and the candidates are checked with LIKE (the exact semantics).
//   It is filled off the ingest hot path (events/search-indexer.ts: tokenizing an event's output
//   costs several times its insert), up to events_search_state.indexed_through; newer events are
//   searched by a scan. Filled from 0 here, an existing history is indexed in the background.
// - The AFTER DELETE trigger keeps the index in step with every deletion (count and age
//   retention); deleting a rowid the index never held is harmless.
// - events_failed (partial: only failed events) and events_kind answer the window's filters and
//   their counts from an index instead of a scan of the table.
export const migration008EventSearch: Migration = {
  version: 8,
  name: 'event search',
  up(db) {
    db.exec(`
      CREATE VIRTUAL TABLE events_fts USING fts5(
        command, output, content='', contentless_delete=1, tokenize='trigram', detail=none
      );
      CREATE TABLE events_search_state (
        id               INTEGER PRIMARY KEY CHECK (id = 1),
        indexed_through  INTEGER NOT NULL
      );
      INSERT INTO events_search_state (id, indexed_through) VALUES (1, 0);
      CREATE TRIGGER events_fts_delete AFTER DELETE ON events BEGIN
        DELETE FROM events_fts WHERE rowid = old.seq;
      END;
      CREATE INDEX events_failed ON events (seq, exit_code) WHERE exit_code <> 0;
      CREATE INDEX events_kind ON events (kind, seq);
    `);
  },
};
