// The PostgreSQL mapping store's schema as migrations: entry N brings a database from version N
// (in dicom_tools_schema) to N + 1. Append new entries; never edit a released one. The tables and
// columns mean what the SQLite store's do (src/store/schema.ts).

/** The table holding the schema version, one row. */
export const POSTGRES_VERSION_TABLE = 'dicom_tools_schema';

export const POSTGRES_MIGRATIONS: readonly string[] = [
  // 1: batches, files with their keyword lists, and the UID pairs of each batch (SQLite's versions 1 and 3).
  `
  CREATE TABLE batches (
    seq bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
    id text PRIMARY KEY,
    started_at text NOT NULL,
    source text NOT NULL CHECK (source IN ('cli', 'daemon', 'tui')),
    options json NOT NULL,
    profile text NOT NULL
  );
  CREATE TABLE keyword_lists (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    list text NOT NULL UNIQUE
  );
  CREATE TABLE files (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    batch_id text NOT NULL REFERENCES batches (id),
    processed_at text NOT NULL,
    original_filename text NOT NULL,
    anonymized_filename text NOT NULL,
    original_patient_id text NOT NULL,
    anonymized_patient_id text NOT NULL,
    tags_anonymized integer NOT NULL CHECK (tags_anonymized >= 0),
    uids_regenerated integer NOT NULL CHECK (uids_regenerated >= 0),
    tags_anonymized_list bigint REFERENCES keyword_lists (id),
    uids_regenerated_list bigint REFERENCES keyword_lists (id)
  );
  CREATE INDEX files_batch_id ON files (batch_id);
  CREATE INDEX files_anonymized_filename ON files (anonymized_filename);
  CREATE INDEX files_processed_at ON files (processed_at);
  CREATE TABLE uid_pairs (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    batch_id text NOT NULL REFERENCES batches (id),
    original_uid text NOT NULL,
    anonymized_uid text NOT NULL,
    UNIQUE (batch_id, original_uid)
  );
  `,
  // 2: the watch daemons' journals of uploads in flight (SQLite's journal table), one per node: each
  // server sharing the store recovers its own entries after a crash, and only those.
  `
  CREATE TABLE upload_journal (
    seq bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
    node text NOT NULL,
    original_path text NOT NULL,
    output_path text NOT NULL,
    state text NOT NULL CHECK (state IN ('writing', 'written')),
    started_at text NOT NULL,
    PRIMARY KEY (node, original_path)
  );
  `,
  // 3: which file each entry's original was (SQLite's version 4).
  `
  ALTER TABLE upload_journal ADD COLUMN original_identity text;
  `,
  // 4: the watch daemon's id of each upload (SQLite's version 5).
  `
  ALTER TABLE files ADD COLUMN upload_id text;
  `,
  // 5: how an at-risk image's pixels were treated (SQLite's version 6).
  `
  ALTER TABLE files ADD COLUMN pixel_cleaning text;
  `,
];

export const POSTGRES_SCHEMA_VERSION = POSTGRES_MIGRATIONS.length;
