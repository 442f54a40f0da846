import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Key } from 'ink';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../src/cli/usage-error.js';
import { DEFAULT_OPTIONS } from '../src/deid/options.js';
import { PROFILE_NAMES, STANDARD_OPTION_NAMES } from '../src/deid/standard-options.js';
import { DicomError } from '../src/dicom/errors.js';
import { readDicomFile } from '../src/dicom/read-file.js';
import { formatDuration } from '../tui/format-duration.js';
import { formatSize } from '../tui/format-size.js';
import { KeyRouter } from '../tui/key-router.js';
import { languageFromEnv } from '../tui/language.js';
import { listWindow, moveCursor } from '../tui/list-window.js';
import { LANGUAGES, MESSAGES } from '../tui/messages.js';
import { fitLines, wrapRows } from '../tui/fit-lines.js';
import { changeOption } from '../tui/option-list.js';
import { stepDates } from '../tui/profile-choice.js';
import { parseTuiArgs } from '../tui/parse-tui-args.js';
import { progressBar, progressStats } from '../tui/progress-stats.js';
import { sniffDicom } from '../tui/sniff-dicom.js';
import { editText } from '../tui/text-edit.js';
import { printable, truncateEnd, truncateMiddle, truncateStart } from '../tui/truncate.js';
import { corpusFiles } from './helpers/corpus.js';

// The TUI's small pure parts.

const key = (overrides: Partial<Key> = {}): Key => ({
  upArrow: false, downArrow: false, leftArrow: false, rightArrow: false, pageDown: false, pageUp: false, home: false, end: false,
  return: false, escape: false, ctrl: false, shift: false, tab: false, backspace: false, delete: false, meta: false,
  super: false, hyper: false, capsLock: false, numLock: false, ...overrides,
});

describe('TUI formatting', () => {
  it('formats sizes in decimal units, with a decimal comma in German', () => {
    expect([0, 999, 1000, 1890, 99_949, 383_468, 14_697_952, 3e12].map((bytes) => formatSize(bytes, 'en'))).toEqual(['0 B', '999 B', '1.0 KB', '1.9 KB', '99.9 KB', '383 KB', '14.7 MB', '3.0 TB']);
    expect(formatSize(6632, 'de')).toBe('6,6 KB');
  });

  it('formats durations: elapsed rounds down, time left rounds up', () => {
    expect(formatDuration(0.9)).toBe('0:00');
    expect(formatDuration(0.1, 'up')).toBe('0:01');
    expect(formatDuration(65)).toBe('1:05');
    expect(formatDuration(3725)).toBe('1:02:05');
  });

  it('computes rate and time left, and draws the bar', () => {
    expect(progressStats(0, 10, 1000, 5000)).toEqual({ elapsedSeconds: 4, filesPerSecond: undefined, secondsLeft: undefined });
    expect(progressStats(4, 10, 1000, 3000)).toEqual({ elapsedSeconds: 2, filesPerSecond: 2, secondsLeft: 3 });
    expect(progressBar(1, 4, 8)).toBe('██░░░░░░');
    expect(progressBar(0, 0, 4)).toBe('████');
  });

  it('cuts text at the end, the start or the middle, and makes control characters harmless', () => {
    expect(truncateEnd('report.dcm', 6)).toBe('repor…');
    expect(truncateStart('/srv/dicom/incoming', 10)).toBe('…/incoming');
    expect(truncateMiddle('2.25.123456789.dcm', 11)).toBe('2.25.…9.dcm');
    expect(truncateEnd('short', 10)).toBe('short');
    expect(printable('a\u001B[31mb\u0007')).toBe('a·[31mb·');
  });

  it('wraps status lines at spaces, breaking only words longer than a row', () => {
    expect(wrapRows('Queue: 3 files', 20)).toEqual(['Queue: 3 files']);
    expect(wrapRows('Last error: x.dcm is truncated', 12)).toEqual(['Last error:', 'x.dcm is', 'truncated']);
    expect(wrapRows('store: postgres://user@host:5432/db', 12)).toEqual(['store:', 'postgres://u', 'ser@host:543', '2/db']);
    expect(wrapRows('store: postgres://user@host:5432/db', 12, 2)).toEqual(['store:', 'postgres://…']);
    expect(wrapRows('', 10)).toEqual(['']);
  });

  it('fits status lines into the rows there are: the line with the most rows (the lower of equals) gives them up first', () => {
    const lines = ['Watch daemon: running', 'Store: postgres://maps@db.example.org:5432/mapping', 'Queue: 3 files'];
    expect(fitLines(lines, 20, 9)).toEqual([['Watch daemon:', 'running'], ['Store:', 'postgres://maps@db.e', 'xample.org:5432/mapp', 'ing'], ['Queue: 3 files']]);
    expect(fitLines(lines, 20, 6)).toEqual([['Watch daemon:', 'running'], ['Store:', 'postgres://maps@db.e', 'xample.org:5432/map…'], ['Queue: 3 files']]);
    expect(fitLines(lines, 20, 4)).toEqual([['Watch daemon:', 'running'], ['Store: postgres://m…'], ['Queue: 3 files']]);
    expect(fitLines(lines, 20, 2)).toEqual([['Watch daemon: runni…'], ['Store: postgres://m…']]);
  });

  it('keeps the cursor in a window of the list', () => {
    expect(listWindow(5, 4, 10)).toEqual({ start: 0, end: 5 });
    expect(listWindow(41, 0, 17)).toEqual({ start: 0, end: 17 });
    expect(listWindow(41, 17, 17)).toEqual({ start: 9, end: 26 });
    expect(listWindow(41, 40, 17)).toEqual({ start: 24, end: 41 });
    expect([moveCursor(0, -1, 5), moveCursor(4, 1, 5), moveCursor(2, 17, 5), moveCursor(0, 1, 0)]).toEqual([0, 4, 4, 0]);
  });
});

describe('TUI text field', () => {
  it('types, deletes, clears, deletes a word, and submits on Enter (also at the end of pasted text)', () => {
    expect(editText('ab', 'c', key())).toEqual({ value: 'abc', submitted: false });
    expect(editText('abc', '', key({ delete: true }))).toEqual({ value: 'ab', submitted: false });
    expect(editText('abc', '', key({ backspace: true }))).toEqual({ value: 'ab', submitted: false });
    expect(editText('/tmp/out', 'u', key({ ctrl: true }))).toEqual({ value: '', submitted: false });
    expect(editText('/tmp/foo/bar', 'w', key({ ctrl: true }))).toEqual({ value: '/tmp/foo/', submitted: false });
    expect(editText('x', '', key({ return: true }))).toEqual({ value: 'x', submitted: true });
    expect(editText('', 'out.zip\r', key())).toEqual({ value: 'out.zip', submitted: true });
    expect(editText('a', '', key({ upArrow: true }))).toEqual({ value: 'a', submitted: false });
  });
});

describe('TUI keys', () => {
  it('gives keys to every active binding, or only to the newest text field while one is active', () => {
    const router = new KeyRouter();
    const seen: string[] = [];
    const bind = (name: string, active: boolean, capture = false) => router.add({ current: { handler: (input) => seen.push(`${name}:${input}`), active, capture } });
    bind('list', true);
    bind('hidden', false);
    router.dispatch('j', key());
    expect(seen).toEqual(['list:j']);
    expect(router.capturing()).toBe(false);
    const unbind = bind('field', true, true);
    bind('inner field', true, true);
    expect(router.capturing()).toBe(true);
    router.dispatch('q', key());
    expect(seen).toEqual(['list:j', 'inner field:q']);
    unbind();
  });
});

describe('TUI options and language', () => {
  it('switches a checkbox and steps the dates mode both ways', () => {
    expect(changeOption(DEFAULT_OPTIONS, 'patient').patient).toBe(false);
    expect(stepDates(DEFAULT_OPTIONS, 1).options?.dates).toBe('keep');
    expect(stepDates(DEFAULT_OPTIONS, -1).options?.dates).toBe('shift');
    expect(stepDates({ ...DEFAULT_OPTIONS, dates: 'shift' }, 1).options?.dates).toBe('clear');
  });

  it('speaks German for a German locale, English otherwise', () => {
    expect(languageFromEnv({ LANG: 'de_DE.UTF-8' })).toBe('de');
    expect(languageFromEnv({ LANG: 'en_US.UTF-8', LC_ALL: 'de_AT.UTF-8' })).toBe('de');
    expect(languageFromEnv({ LC_ALL: 'C', LANG: 'de_DE.UTF-8' })).toBe('en');
    expect(languageFromEnv({ LC_MESSAGES: 'de', LANG: 'en_GB' })).toBe('de');
    expect(languageFromEnv({ LANG: 'dev' })).toBe('en');
    expect(languageFromEnv({})).toBe('en');
  });

  it('parses tui [DIR] [--out DIR] [--lang en|de], resolving folders against the working directory', () => {
    expect(parseTuiArgs([], '/work', {})).toEqual({ help: false, startDir: '/work', outDir: '/work/anonymized', language: 'en', mappingUrl: undefined });
    expect(parseTuiArgs(['study', '--out', '/tmp/x', '--lang', 'de', '--mapping-url', 'postgres://db/m'], '/work', {})).toEqual({
      help: false, startDir: '/work/study', outDir: '/tmp/x', language: 'de', mappingUrl: 'postgres://db/m',
    });
    expect(parseTuiArgs(['-o', 'o'], '/work', { LANG: 'de_DE.UTF-8' }).language).toBe('de');
    expect(parseTuiArgs(['--lang', 'en'], '/work', { LANG: 'de_DE.UTF-8' }).language).toBe('en');
    expect(() => parseTuiArgs(['--lang', 'fr'], '/work', {})).toThrow(new UsageError('--lang must be en or de, not "fr"'));
    expect(() => parseTuiArgs(['a', 'b'], '/work', {})).toThrow(new UsageError('tui takes one folder, not 2'));
    expect(() => parseTuiArgs(['--colour'], '/work', {})).toThrow(UsageError);
  });

  it('keeps every key hint and help line within 80 columns, in both languages', () => {
    for (const language of LANGUAGES) {
      const messages = MESSAGES[language];
      for (const hint of [...Object.values(messages.hints), ...Object.values(messages.runHints)]) expect([...hint].length, `${language}: ${hint}`).toBeLessThanOrEqual(80);
      for (const keys of Object.values(messages.keys)) for (const [name, what] of keys) expect(2 + 14 + [...what].length, `${language}: ${name}`).toBeLessThanOrEqual(80);
      for (const option of Object.values(messages.options)) expect(6 + [...option.description].length, `${language}: ${option.description}`).toBeLessThanOrEqual(80);
      for (const option of Object.values(messages.standardOptions)) {
        expect(6 + [...option.description].length, `${language}: ${option.description}`).toBeLessThanOrEqual(80);
        // "› [+] 113108 " before the label, the implied note after it.
        expect(13 + [...option.label].length + 1 + [...messages.advanced.implied].length, `${language}: ${option.label}`).toBeLessThanOrEqual(80);
      }
      for (const choice of [...PROFILE_NAMES, 'custom']) {
        const description = messages.profiles.description(choice, STANDARD_OPTION_NAMES.length);
        expect(6 + [...description].length, `${language}: ${description}`).toBeLessThanOrEqual(80);
      }
    }
  });

  it('names every PS3.15 option and preset the engine offers, in both languages', () => {
    for (const language of LANGUAGES) {
      expect(STANDARD_OPTION_NAMES.filter((option) => MESSAGES[language].standardOptions[option] === undefined), language).toEqual([]);
      expect([...PROFILE_NAMES, 'custom'].filter((choice) => MESSAGES[language].profiles.names[choice] === undefined), language).toEqual([]);
    }
  });

  it('names the six options with the product names in both languages', () => {
    expect(Object.values(MESSAGES.en.options).map((option) => option.product)).toEqual(['UIDs neu generieren', 'Private Tags entfernen', 'Patientendaten', 'Institutionsdaten', 'Studiendaten', 'Datumsangaben']);
    expect(Object.values(MESSAGES.de.options).map((option) => option.label)).toEqual(['UIDs neu generieren', 'Private Tags entfernen', 'Patientendaten', 'Institutionsdaten', 'Studiendaten', 'Datumsangaben']);
  });
});

describe('TUI DICOM detection by content', () => {
  it('agrees with the reader on every corpus file: DICOM unless the reader says NOT_DICOM', async () => {
    for (const file of corpusFiles()) {
      let readable = true;
      try {
        readDicomFile(file.path);
      } catch (error) {
        if (!(error instanceof DicomError)) throw error;
        readable = error.code !== 'NOT_DICOM';
      }
      expect(await sniffDicom(file.path, statSync(file.path).size), file.name).toBe(readable);
    }
  });

  it('says no to text, images and tiny files, whatever their extension', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'tui-sniff-'));
    const cases: [string, Buffer][] = [
      ['notes.dcm', Buffer.from('Patient notes, not an image\n')],
      ['scan.png', Buffer.from('89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489', 'hex')],
      ['tiny.dcm', Buffer.from([0x08, 0x00])],
      ['empty.dcm', Buffer.alloc(0)],
    ];
    for (const [name, bytes] of cases) {
      const file = path.join(dir, name);
      writeFileSync(file, bytes);
      expect(await sniffDicom(file, bytes.length), name).toBe(false);
    }
    rmSync(dir, { recursive: true });
  });
});
