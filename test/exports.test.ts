import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ExportError } from '../src/export/export-error.js';
import { csvCellValue, writeIdPairsCsv, writeMappingCsv } from '../src/export/mapping-csv.js';
import { writeZip } from '../src/export/zip-export.js';
import type { IdPair, RecordedFile } from '../src/store/mapping-record.js';
import { parseCsv } from './helpers/parse-csv.js';

const HEADER = 'Original Filename,Anonymized Filename,Original Patient ID,Anonymized ID,Tags Anonymized,UIDs Regenerated';

const temporaryDirs: string[] = [];

afterEach(() => {
  for (const dir of temporaryDirs.splice(0)) {
    chmodSync(dir, 0o700);
    rmSync(dir, { recursive: true, force: true });
  }
});

function temporaryDir(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'exports-'));
  temporaryDirs.push(dir);
  return dir;
}

function modeOf(file: string): number {
  return statSync(file).mode & 0o777;
}

function record(originalFilename: string, originalPatientId: string, overrides: Partial<RecordedFile> = {}): RecordedFile {
  return {
    batchId: 'b-20240501T120000Z-000000000000',
    processedAt: '2024-05-01T12:00:00.000Z',
    originalFilename,
    anonymizedFilename: 'ANON-00001.dcm',
    originalPatientId,
    anonymizedPatientId: 'ANON-7KQ2M4ZP1D',
    tagsAnonymized: ['PatientName', 'PatientID', 'StudyInstanceUID'],
    uidsRegenerated: ['StudyInstanceUID', 'SOPInstanceUID'],
    ...overrides,
  };
}

async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a rejection');
}

describe('writeMappingCsv', () => {
  it('writes the product header and one quoted-as-needed row per record, the lists ;-separated, mode 0600', async () => {
    const dir = temporaryDir();
    const out = path.join(dir, 'mapping.csv');
    await writeMappingCsv(
      [
        record('IM0001', 'P1'),
        record('Müller, Hans.dcm', 'say "hi"', { anonymizedFilename: 'a/b.dcm', tagsAnonymized: ['PatientID', '(0009,1001)'], uidsRegenerated: [] }),
      ],
      out,
    );

    expect(readFileSync(out, 'utf8')).toBe(
      `${HEADER}\nIM0001,ANON-00001.dcm,P1,ANON-7KQ2M4ZP1D,PatientName;PatientID;StudyInstanceUID,StudyInstanceUID;SOPInstanceUID\n` +
        `"Müller, Hans.dcm",a/b.dcm,"say ""hi""",ANON-7KQ2M4ZP1D,"PatientID;(0009,1001)",\n`,
    );
    expect(modeOf(out)).toBe(0o600);
    expect(readdirSync(dir)).toEqual(['mapping.csv']);
  });

  it('round-trips commas, quotes, line breaks, spaces, empty values and non-ASCII names', async () => {
    const dir = temporaryDir();
    const out = path.join(dir, 'mapping.csv');
    const records = [
      record('a,b,c.dcm', ''),
      record('"quoted".dcm', '""'),
      record('line\nbreak.dcm', 'cr\rlf\r\n'),
      record('  padded  ', ' x '),
      record('山田^太郎.dcm', 'Ørsted–Ünal 🩻'),
      record('=SUM(A1).dcm', '+1234'),
    ];
    await writeMappingCsv(records, out);

    const written = parseCsv(readFileSync(out, 'utf8'));
    // Formula-like cells carry one leading ' for spreadsheets (issue 18, point 15); csvCellValue removes it.
    expect(written[6]?.slice(0, 3)).toEqual(["'=SUM(A1).dcm", 'ANON-00001.dcm', "'+1234"]);
    const rows = written.map((row) => row.map(csvCellValue));
    expect(rows).toEqual([
      HEADER.split(','),
      ...records.map((r) => [r.originalFilename, r.anonymizedFilename, r.originalPatientId, r.anonymizedPatientId, r.tagsAnonymized?.join(';'), r.uidsRegenerated?.join(';')]),
    ]);
    expect(readFileSync(out).subarray(0, 3).toString('hex')).not.toBe('efbbbf'); // no BOM
  });

  it('streams a large iterable', async () => {
    const out = path.join(temporaryDir(), 'mapping.csv');
    function* many(): Generator<RecordedFile> {
      for (let index = 0; index < 20_000; index++) yield record(`file ${index}.dcm`, `P${index}`);
    }
    await writeMappingCsv(many(), out);

    const rows = parseCsv(readFileSync(out, 'utf8'));
    expect(rows).toHaveLength(20_001);
    expect(rows[20_000]).toEqual(['file 19999.dcm', 'ANON-00001.dcm', 'P19999', 'ANON-7KQ2M4ZP1D', 'PatientName;PatientID;StudyInstanceUID', 'StudyInstanceUID;SOPInstanceUID']);
  });

  it('leaves both list cells empty for a file recorded before the store kept the lists', async () => {
    const out = path.join(temporaryDir(), 'mapping.csv');
    await writeMappingCsv([record('IM0001', 'P1', { tagsAnonymized: undefined, uidsRegenerated: undefined })], out);
    expect(readFileSync(out, 'utf8')).toBe(`${HEADER}\nIM0001,ANON-00001.dcm,P1,ANON-7KQ2M4ZP1D,,\n`);
  });

  it('writes only the header for no records', async () => {
    const out = path.join(temporaryDir(), 'mapping.csv');
    await writeMappingCsv([], out);
    expect(readFileSync(out, 'utf8')).toBe(`${HEADER}\n`);
  });

  it('replaces an existing file atomically, with mode 0600', async () => {
    const dir = temporaryDir();
    const out = path.join(dir, 'mapping.csv');
    writeFileSync(out, 'old', { mode: 0o644 });
    await writeMappingCsv([record('IM0001', 'P1')], out);

    expect(readFileSync(out, 'utf8')).toBe(`${HEADER}\nIM0001,ANON-00001.dcm,P1,ANON-7KQ2M4ZP1D,PatientName;PatientID;StudyInstanceUID,StudyInstanceUID;SOPInstanceUID\n`);
    expect(modeOf(out)).toBe(0o600);
    expect(readdirSync(dir)).toEqual(['mapping.csv']);
  });

  it('rejects a path in a missing folder, naming it and no patient data', async () => {
    const out = path.join(temporaryDir(), 'missing', 'mapping.csv');
    const error = await rejection(writeMappingCsv([record('Müller.dcm', 'P1')], out));

    expect(error).toBeInstanceOf(ExportError);
    expect(error.message).toBe(`${out}: cannot write: no such file or folder`);
  });

  it('leaves the old file and no temporary file when the records fail midway', async () => {
    const dir = temporaryDir();
    const out = path.join(dir, 'mapping.csv');
    writeFileSync(out, 'old', { mode: 0o600 });
    function* failing(): Generator<RecordedFile> {
      for (let index = 0; index < 5000; index++) yield record(`file ${index}`, `P${index}`);
      throw new Error('the store went away');
    }
    const error = await rejection(writeMappingCsv(failing(), out));

    expect(error.message).toBe(`${out}: cannot write: the store went away`);
    expect(readFileSync(out, 'utf8')).toBe('old');
    expect(readdirSync(dir)).toEqual(['mapping.csv']);
  });

  it.skipIf(process.getuid?.() === 0)('rejects a read-only folder without leaving a file', async () => {
    const dir = temporaryDir();
    chmodSync(dir, 0o500);
    const error = await rejection(writeMappingCsv([record('IM0001', 'P1')], path.join(dir, 'mapping.csv')));
    expect(error.message).toBe(`${path.join(dir, 'mapping.csv')}: cannot write: permission denied`);
    expect(readdirSync(dir)).toEqual([]);
  });
});

describe('writeIdPairsCsv', () => {
  it('writes id_old,id_new and one row per pair, quoted as needed, mode 0600, replacing a file atomically', async () => {
    const dir = temporaryDir();
    const out = path.join(dir, 'uids.csv');
    writeFileSync(out, 'old', { mode: 0o644 });
    const pairs: IdPair[] = [
      { original: '1.2.826.0.1.3680043.10.9999.1', anonymized: '2.25.1111' },
      { original: 'Müller, Hans', anonymized: 'ANON-7KQ2M4ZP1D' },
    ];
    await writeIdPairsCsv(pairs, out);

    expect(readFileSync(out, 'utf8')).toBe('id_old,id_new\n1.2.826.0.1.3680043.10.9999.1,2.25.1111\n"Müller, Hans",ANON-7KQ2M4ZP1D\n');
    expect(modeOf(out)).toBe(0o600);
    expect(readdirSync(dir)).toEqual(['uids.csv']);
  });

  it('writes only the header for no pairs, and names the path and no identifier on failure', async () => {
    const dir = temporaryDir();
    await writeIdPairsCsv([], path.join(dir, 'none.csv'));
    expect(readFileSync(path.join(dir, 'none.csv'), 'utf8')).toBe('id_old,id_new\n');

    const out = path.join(dir, 'missing', 'uids.csv');
    const error = await rejection(writeIdPairsCsv([{ original: '1.2.3.4.5.6', anonymized: '2.25.9' }], out));
    expect(error).toBeInstanceOf(ExportError);
    expect(error.message).toBe(`${out}: cannot write: no such file or folder`);
  });

  it('with replace: false, never replaces a file that appeared after the command checked its targets', async () => {
    const dir = temporaryDir();
    const out = path.join(dir, 'uids.csv');
    writeFileSync(out, 'made during the run\n');
    const error = await rejection(writeIdPairsCsv([{ original: '1.2.3.4.5.6', anonymized: '2.25.9' }], out, { replace: false }));
    expect(error).toBeInstanceOf(ExportError);
    expect(error.message).toBe(`${out}: cannot write: already exists`);
    expect(readFileSync(out, 'utf8')).toBe('made during the run\n');
    expect(readdirSync(dir)).toEqual(['uids.csv']);
    const zip = path.join(dir, 'new.zip');
    await writeZip([], zip, { replace: false });
    expect(readZip(zip)).toEqual([]);
    expect(readdirSync(dir).sort()).toEqual(['new.zip', 'uids.csv']);
  });
});

interface ZipListing {
  name: string;
  size: number;
  compressType: number;
  sha256: string;
}

/** Reads a ZIP back with Python's zipfile (an independent reader), checking every CRC. */
function readZip(zipPath: string): ZipListing[] {
  const script = `
import hashlib, json, sys, zipfile
with zipfile.ZipFile(sys.argv[1]) as z:
    assert z.testzip() is None
    print(json.dumps([{"name": i.filename, "size": i.file_size, "compressType": i.compress_type, "sha256": hashlib.sha256(z.read(i)).hexdigest()} for i in z.infolist()]))
`;
  return JSON.parse(execFileSync('python3', ['-c', script, zipPath], { encoding: 'utf8' })) as ZipListing[];
}

function sha256(file: string): string {
  return createHash('sha256').update(readFileSync(file)).digest('hex');
}

describe('writeZip', () => {
  it('stores every file deflated under exactly its given name, byte-identical, mode 0644', async () => {
    const dir = temporaryDir();
    const sources = path.join(dir, 'anonymized');
    mkdirSync(sources);
    const files = {
      big: path.join(sources, 'big.dcm'),
      small: path.join(sources, 'small.dcm'),
      empty: path.join(sources, 'empty.dcm'),
    };
    writeFileSync(files.big, Buffer.concat([randomBytes(3 << 20), Buffer.alloc(3 << 20, 7)]));
    writeFileSync(files.small, 'DICM-ish content\n');
    writeFileSync(files.empty, '');
    const out = path.join(dir, 'export.zip');
    const entries = [
      { sourcePath: files.big, name: 'ANON-7KQ2M4ZP1D/1.2.3/IM00001.dcm' },
      { sourcePath: files.small, name: 'Ærø séries/ファイル 2.dcm' },
      { sourcePath: files.empty, name: 'empty [1] *.dcm' },
      { sourcePath: files.small, name: 'copy.dcm' },
    ];
    await writeZip(entries, out);

    expect(readZip(out)).toEqual(entries.map((entry) => ({ name: entry.name, size: statSync(entry.sourcePath).size, compressType: 8, sha256: sha256(entry.sourcePath) })));
    expect(modeOf(out)).toBe(0o644);
    expect(readdirSync(dir).sort()).toEqual(['anonymized', 'export.zip']);
  });

  it('writes an empty ZIP for no entries and replaces an existing file', async () => {
    const dir = temporaryDir();
    const out = path.join(dir, 'export.zip');
    writeFileSync(out, 'old', { mode: 0o600 });
    await writeZip([], out);

    expect(readZip(out)).toEqual([]);
    expect(modeOf(out)).toBe(0o644);
    expect(readdirSync(dir)).toEqual(['export.zip']);
  });

  it.each([
    ['', 'is empty'],
    ['/etc/passwd', 'is absolute (use a relative path)'],
    ['C:/x.dcm', 'is absolute (use a relative path)'],
    ['a\\b.dcm', 'contains a backslash (use forward slashes)'],
    ['../x.dcm', 'contains a ".." segment'],
    ['a/../../x.dcm', 'contains a ".." segment'],
    ['a//x.dcm', 'contains an empty or "." segment'],
    ['./x.dcm', 'contains an empty or "." segment'],
    ['folder/', 'contains an empty or "." segment'],
    ['tab\there.dcm', 'contains a control character'],
  ])('refuses the entry name %j', async (name, problem) => {
    const dir = temporaryDir();
    const source = path.join(dir, 'a.dcm');
    writeFileSync(source, 'x');
    const out = path.join(dir, 'export.zip');
    const error = await rejection(writeZip([{ sourcePath: source, name: 'ok.dcm' }, { sourcePath: source, name }], out));

    expect(error).toBeInstanceOf(ExportError);
    expect(error.message).toBe(`${out}: ZIP entry name ${JSON.stringify(name)} ${problem}`);
    expect(readdirSync(dir)).toEqual(['a.dcm']);
  });

  it('refuses a name given twice', async () => {
    const dir = temporaryDir();
    const source = path.join(dir, 'a.dcm');
    writeFileSync(source, 'x');
    const out = path.join(dir, 'export.zip');
    const error = await rejection(writeZip([{ sourcePath: source, name: 'a.dcm' }, { sourcePath: source, name: 'a.dcm' }], out));
    expect(error.message).toBe(`${out}: ZIP entry name "a.dcm" is given twice`);
  });

  it.each(['mapping.sqlite', 'mapping.sqlite-wal', 'mapping.sqlite-shm', 'secret.key', 'link-to-store.dcm'])('refuses the source %s, which links back to patients', async (file) => {
    const dir = temporaryDir();
    writeFileSync(path.join(dir, 'mapping.sqlite'), 'db');
    if (file !== 'mapping.sqlite') {
      if (file === 'link-to-store.dcm') symlinkSync(path.join(dir, 'mapping.sqlite'), path.join(dir, file));
      else writeFileSync(path.join(dir, file), 'x');
    }
    const out = path.join(dir, 'export.zip');
    const error = await rejection(writeZip([{ sourcePath: path.join(dir, file), name: 'x.dcm' }], out));

    expect(error).toBeInstanceOf(ExportError);
    expect(error.message).toBe(
      `${out}: refusing to put ${path.join(dir, file)} in a ZIP: it is part of the mapping store or the secret, which link anonymized files back to patients`,
    );
    expect(readdirSync(dir)).not.toContain('export.zip');
  });

  it('reports a missing or non-file source by its entry name, before writing anything', async () => {
    const dir = temporaryDir();
    const out = path.join(dir, 'export.zip');
    mkdirSync(path.join(dir, 'folder.dcm'));

    expect((await rejection(writeZip([{ sourcePath: path.join(dir, 'gone.dcm'), name: 'ANON/1.dcm' }], out))).message).toBe(
      `${out}: cannot read the source of ZIP entry "ANON/1.dcm": no such file or folder`,
    );
    expect((await rejection(writeZip([{ sourcePath: path.join(dir, 'folder.dcm'), name: 'ANON/2.dcm' }], out))).message).toBe(
      `${out}: the source of ZIP entry "ANON/2.dcm" is not a regular file`,
    );
    expect(readdirSync(dir)).toEqual(['folder.dcm']);
  });

  it.runIf(process.platform === 'linux')('removes the temporary file when a source fails while being read', async () => {
    const dir = temporaryDir();
    const source = path.join(dir, 'a.dcm');
    writeFileSync(source, 'x');
    const out = path.join(dir, 'export.zip');
    // stat() says 0 bytes, reading gives more: yazl fails mid-stream.
    const error = await rejection(writeZip([{ sourcePath: source, name: 'a.dcm' }, { sourcePath: '/proc/self/status', name: 'b.dcm' }], out));

    expect(error).toBeInstanceOf(ExportError);
    expect(error.message).toBe(`${out}: cannot write: file data stream has unexpected number of bytes`);
    expect(readdirSync(dir)).toEqual(['a.dcm']);
  });

  it('rejects a path in a missing folder', async () => {
    const dir = temporaryDir();
    const source = path.join(dir, 'a.dcm');
    writeFileSync(source, 'x');
    const out = path.join(dir, 'missing', 'export.zip');
    const error = await rejection(writeZip([{ sourcePath: source, name: 'a.dcm' }], out));

    expect(error).toBeInstanceOf(ExportError);
    expect(error.message).toBe(`${out}: cannot write: no such file or folder`);
    expect(readdirSync(dir)).toEqual(['a.dcm']);
  });

  it.skipIf(process.getuid?.() === 0)('rejects a read-only folder without leaving a file', async () => {
    const dir = temporaryDir();
    const source = path.join(dir, 'a.dcm');
    writeFileSync(source, 'x');
    chmodSync(dir, 0o500);
    const error = await rejection(writeZip([{ sourcePath: source, name: 'a.dcm' }], path.join(dir, 'export.zip')));
    expect(error.message).toBe(`${path.join(dir, 'export.zip')}: cannot write: permission denied`);
    expect(readdirSync(dir)).toEqual(['a.dcm']);
  });
});
