// The mapping store's schema as migrations: entry N brings a database from `user_version` N to
// N + 1. Append new entries; never edit a released one.

export const MIGRATIONS: readonly string[] = [
  // 1: batches and the files processed in them.
  `
  CREATE TABLE batches (
    id TEXT PRIMARY KEY NOT NULL,
    started_at TEXT NOT NULL,
    source TEXT NOT NULL CHECK (source IN ('cli', 'daemon', 'tui')),
    options TEXT NOT NULL CHECK (json_valid(options)),
    profile TEXT NOT NULL
  ) STRICT;
  CREATE TABLE files (
    id INTEGER PRIMARY KEY,
    batch_id TEXT NOT NULL REFERENCES batches (id),
    processed_at TEXT NOT NULL,
    original_filename TEXT NOT NULL,
    anonymized_filename TEXT NOT NULL,
    original_patient_id TEXT NOT NULL,
    anonymized_patient_id TEXT NOT NULL,
    tags_anonymized INTEGER NOT NULL CHECK (tags_anonymized >= 0),
    uids_regenerated INTEGER NOT NULL CHECK (uids_regenerated >= 0)
  ) STRICT;
  CREATE INDEX files_batch_id ON files (batch_id);
  CREATE INDEX files_anonymized_filename ON files (anonymized_filename);
  CREATE INDEX files_processed_at ON files (processed_at);
  `,
  // 2: the watch daemon's journal of work in flight, for recovery after a crash.
  `
  CREATE TABLE journal (
    original_path TEXT PRIMARY KEY NOT NULL,
    output_path TEXT NOT NULL UNIQUE,
    state TEXT NOT NULL CHECK (state IN ('writing', 'written')),
    started_at TEXT NOT NULL
  ) STRICT;
  `,
  // 3: the attributes changed and UID attributes regenerated per file, as ';'-separated keywords
  // kept once each in keyword_lists (the files of a series share one list) and referenced from the
  // file (NULL for files recorded before: only their counts were kept); and the original-to-new UID
  // pairs of each batch, one row per distinct original UID.
  `
  CREATE TABLE keyword_lists (
    id INTEGER PRIMARY KEY,
    list TEXT NOT NULL UNIQUE
  ) STRICT;
  ALTER TABLE files ADD COLUMN tags_anonymized_list INTEGER REFERENCES keyword_lists (id);
  ALTER TABLE files ADD COLUMN uids_regenerated_list INTEGER REFERENCES keyword_lists (id);
  CREATE TABLE uid_pairs (
    id INTEGER PRIMARY KEY,
    batch_id TEXT NOT NULL REFERENCES batches (id),
    original_uid TEXT NOT NULL,
    anonymized_uid TEXT NOT NULL,
    UNIQUE (batch_id, original_uid)
  ) STRICT;
  `,
  // 4: which file each journal entry's original was (inode, size, modification time): recovery
  // never removes a new upload that took an old one's path while the daemon was down.
  `
  ALTER TABLE journal ADD COLUMN original_identity TEXT;
  `,
  // 5: the watch daemon's id of each upload (u-3f9a1c02), which its log names the upload by (NULL
  // for the CLI and the TUI, and for files recorded before).
  `
  ALTER TABLE files ADD COLUMN upload_id TEXT;
  `,
  // 6: how an at-risk image's pixels were treated (the region list entry or method that cleaned it,
  // or 'accepted as it is'); NULL for an image not at risk, and for files recorded before. Plain text:
  // only at-risk images have one, and it is no longer than the file names beside it.
  `
  ALTER TABLE files ADD COLUMN pixel_cleaning TEXT;
  `,
];

export const SCHEMA_VERSION = MIGRATIONS.length;
