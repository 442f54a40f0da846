import { plural, type DateMode, type DeidOptions, type FileStatus, type PreviewPicture } from '../src/index.js';
import type { RunPhase } from './use-anonymize-run.js';

// Every word the terminal UI shows, one table per language. Option names are the product's.

export type Language = 'en' | 'de';

export const LANGUAGES: readonly Language[] = ['en', 'de'];

export type Step = 'pick' | 'configure' | 'anonymize' | 'review';

/** A step's screen, or a view inside one: before-and-after (review), the PS3.15 options (configure), a file's picture (pick, review). */
export type Screen = Step | 'compare' | 'advanced' | 'picture';

/** Which picture the view shows: a picked file's, or in the review the original's or the anonymized copy's. */
export type PictureSide = 'file' | 'before' | 'after';

/** What the caption under a picture says: never an attribute's value but the photometric interpretation. */
export type PictureFacts = Pick<PreviewPicture, 'frame' | 'frames' | 'width' | 'height' | 'photometric' | 'regionName' | 'after'>;

/**
 * The five checkbox options, in the product's order (dates is a three-way choice after them). The
 * standard options have a panel of their own; subject IDs come from the configuration.
 */
export type CheckboxOption = Exclude<keyof DeidOptions, 'dates' | 'standardOptions' | 'subjectIds' | 'profile' | 'siteRules' | 'burnedIn' | 'pixelRegions' | 'ocr'>;

export type KeyHelp = readonly (readonly [keys: string, what: string])[];

export interface Messages {
  readonly language: Language;
  readonly title: string;
  readonly tooSmall: (columns: number, rows: number) => string;
  readonly steps: Readonly<Record<Step, string>>;
  readonly options: Readonly<Record<CheckboxOption | 'dates', { readonly label: string; readonly product: string; readonly description: string }>>;
  readonly dateModes: Readonly<Record<DateMode, string>>;
  readonly pick: {
    readonly up: string;
    readonly folder: string;
    readonly dicom: string;
    readonly notDicom: string;
    readonly output: string;
    readonly loading: string;
    readonly empty: string;
    readonly noMatch: (filter: string) => string;
    readonly cannotOpen: (reason: string) => string;
    readonly filterPrompt: string;
    readonly filterActive: (filter: string) => string;
    readonly scanning: string;
    /** What a search selected: `found` files, `fresh` of them not selected before, `total` selected now. */
    readonly added: (found: number, fresh: number, total: number) => string;
    readonly removed: (count: number) => string;
    readonly noneFound: string;
    readonly noneMatching: (filter: string) => string;
    readonly selectFirst: string;
    readonly selection: (count: number, size: string) => string;
    readonly position: (from: number, to: number, total: number) => string;
  };
  readonly configure: {
    readonly heading: (count: number, size: string) => string;
    readonly outDir: (dir: string) => string;
    readonly outPrompt: string;
    /** Where the runs record the mapping: `SQLite <file>` or `PostgreSQL <url without password>`. */
    readonly store: (store: string) => string;
    /** The summary: the edition, the preset's name and the CID 7050 codes to be claimed. */
    readonly profile: (edition: string, preset: string, codes: readonly string[]) => string;
    /** The summary when the codes do not fit on the line: how many. */
    readonly profileCount: (edition: string, preset: string, count: number) => string;
    /** Added to the profile line when DICOM_RULES names a site rules file. */
    readonly siteRules: (name: string) => string;
  };
  /** The PS3.15 presets (`--profile`), by name, and "custom" for a set that is no preset. */
  readonly profiles: {
    readonly label: string;
    readonly names: Readonly<Record<string, string>>;
    readonly description: (choice: string, count: number) => string;
  };
  /** The PS3.15 standard options, by their command-line name: a short name and what the option keeps. */
  readonly standardOptions: Readonly<Record<string, { readonly label: string; readonly description: string }>>;
  readonly advanced: {
    /** The row on the Configure step that opens the panel. */
    readonly row: (count: number) => string;
    readonly name: string;
    readonly title: (profile: string) => string;
    /** After an option a product setting already applies. */
    readonly implied: string;
    /** After the dates row when a chosen option, not the row, decides what happens to dates. */
    readonly datesBy: (mode: string) => string;
    readonly conflict: (first: string, second: string) => string;
  };
  readonly anonymize: {
    readonly heading: (total: number, outDir: string) => string;
    readonly counts: (done: number, total: number) => string;
    readonly rate: (filesPerSecond: string) => string;
    readonly elapsed: (time: string) => string;
    readonly left: (time: string) => string;
    readonly failures: (count: number) => string;
    readonly cancelling: string;
    readonly finished: (anonymized: number, failed: number, skipped: number, seconds: string) => string;
    readonly cancelled: (done: number, total: number) => string;
    readonly error: (message: string) => string;
  };
  readonly review: {
    readonly columns: { readonly original: string; readonly anonymized: string; readonly status: string; readonly patientId: string; readonly tags: string; readonly uids: string };
    readonly status: Readonly<Record<FileStatus, string>>;
    readonly empty: string;
    readonly reason: (reason: string) => string;
  };
  readonly download: {
    readonly zipPrompt: string;
    readonly csvPrompt: string;
    readonly overwrite: (file: string) => string;
    /** The keys that answer yes to the overwrite question (n and Esc answer no; j moves in English). */
    readonly yes: readonly string[];
    /** After no: nothing written. */
    readonly kept: string;
    readonly writing: string;
    readonly zipDone: (file: string, count: number) => string;
    readonly csvDone: (file: string, count: number) => string;
    readonly reminder: string;
    readonly insideOutput: string;
    readonly nothingToZip: string;
    readonly failed: (message: string) => string;
  };
  readonly compare: {
    readonly title: (name: string) => string;
    readonly before: string;
    readonly after: string;
    readonly legend: string;
    readonly loading: string;
    readonly failed: (message: string) => string;
  };
  readonly picture: {
    /** The view's name, for the help. */
    readonly name: string;
    /** The line above the picture: which file, and in the review which side. */
    readonly heading: (side: PictureSide) => string;
    /** The line under it: frame, size, photometric interpretation, the region entry (as `dicom-tools preview`, without the name). */
    readonly caption: (facts: PictureFacts) => string;
    readonly loading: string;
    /** Why there is no picture, in one line. */
    readonly failed: (name: string, problem: string) => string;
    /** After p on a folder. */
    readonly notAFile: string;
  };
  readonly daemon: { readonly title: string; readonly refreshed: (time: string) => string };
  readonly prompt: { readonly hint: string };
  readonly help: { readonly title: string; readonly close: string; readonly global: string };
  /** Key lists for the help overlay, per screen, and the global ones. */
  readonly keys: Readonly<Record<Screen | 'global', KeyHelp>>;
  /** The one-line key hint at the bottom, per screen. */
  readonly hints: Readonly<Record<Screen | 'daemon' | 'help', string>>;
  /** The hint on the Anonymize step once the run is no longer running (`hints.anonymize` while it is). */
  readonly runHints: Readonly<Record<Exclude<RunPhase, 'running'>, string>>;
}

const en: Messages = {
  language: 'en',
  title: 'DICOM Tools',
  tooSmall: (columns, rows) => `The terminal is too small: ${columns}×${rows}, needs at least 60×16. Enlarge it, or q to quit.`,
  steps: { pick: '1 Pick files', configure: '2 Configure', anonymize: '3 Anonymize', review: '4 Review & download' },
  options: {
    regenerateUids: { label: 'Regenerate UIDs', product: 'UIDs neu generieren', description: 'New UIDs from your secret key; links between files stay intact' },
    removePrivate: { label: 'Remove private tags', product: 'Private Tags entfernen', description: "Remove vendors' private elements (they can hide identities)" },
    patient: { label: 'Patient data', product: 'Patientendaten', description: 'Name, ID, birth date, sex, age, address: pseudonym or removed' },
    institution: { label: 'Institution data', product: 'Institutionsdaten', description: 'Institution, department, staff names, station and device' },
    study: { label: 'Study data', product: 'Studiendaten', description: 'Accession number, study ID, procedure IDs and descriptions' },
    dates: { label: 'Dates', product: 'Datumsangaben', description: 'clear: remove per profile · keep · shift: move per patient' },
  },
  dateModes: { clear: 'clear', keep: 'keep', shift: 'shift' },
  pick: {
    up: '.. (up)',
    folder: 'folder',
    dicom: 'DICOM',
    notDicom: 'not DICOM',
    output: 'output',
    loading: 'Reading the folder…',
    empty: 'This folder is empty.',
    noMatch: (filter) => `Nothing here matches "${filter}".`,
    cannotOpen: (reason) => `Cannot open this folder: ${reason}.`,
    filterPrompt: 'Filter: ',
    filterActive: (filter) => `Filter: "${filter}" (/ to change, Esc to clear)`,
    scanning: 'Looking for DICOM files below this folder…',
    added: (found, fresh, total) =>
      `Selected ${plural(found, 'DICOM file', 'DICOM files')}${fresh < found ? ` (${fresh} new)` : ''}${total > found ? `, ${total} in all` : ''}.`,
    removed: (count) => `Unselected ${plural(count, 'file', 'files')}.`,
    noneFound: 'No DICOM files below this folder.',
    noneMatching: (filter) => `No DICOM files here match "${filter}".`,
    selectFirst: 'Select files first: Space selects, a selects every DICOM file below.',
    selection: (count, size) => `Selected: ${plural(count, 'file', 'files')}, ${size}`,
    position: (from, to, total) => `${from}-${to} of ${total}`,
  },
  configure: {
    heading: (count, size) => `Options for ${plural(count, 'file', 'files')} (${size})`,
    outDir: (dir) => `Output folder: ${dir}`,
    outPrompt: 'Output folder: ',
    store: (store) => `Mapping store: ${store}`,
    profile: (edition, preset, codes) =>
      codes.length === 0 ? `Profile: DICOM PS3.15 ${edition}, Basic Application Level Confidentiality` : `Profile: PS3.15 ${edition}, ${preset}: options ${codes.join(' ')}`,
    profileCount: (edition, preset, count) => `Profile: PS3.15 ${edition}, ${preset}: ${plural(count, 'option', 'options')} (a lists them)`,
    siteRules: (name) => ` · site rules ${name}`,
  },
  profiles: {
    label: 'Profile',
    names: { basic: 'Basic', research: 'Research', custom: 'Custom' },
    description: (choice, count) =>
      choice === 'basic'
        ? 'The Basic Profile alone, without PS3.15 options'
        : choice === 'research'
          ? `For research sharing, as TCIA: Basic + ${plural(count, 'option', 'options')} (a shows them)`
          : `Basic + ${plural(count, 'option', 'options')} of your choice (a shows them)`,
  },
  standardOptions: {
    'clean-pixel-data': { label: 'Clean Pixel Data', description: 'Blanks burned-in text where a region list or ultrasound regions say' },
    'clean-graphics': { label: 'Clean Graphics', description: 'Keeps graphic annotations, identifying text in them cleaned' },
    'clean-structured-content': { label: 'Clean Structured Content', description: 'Keeps structured report content, identifying text in it cleaned' },
    'clean-descriptors': { label: 'Clean Descriptors', description: 'Keeps descriptions and comments, identifying text in them cleaned' },
    'retain-full-dates': { label: 'Retain Full Dates', description: 'Keeps every date and time as it is (the same as Dates: keep)' },
    'retain-modified-dates': { label: 'Retain Modified Dates', description: 'Shifts dates per patient, intervals stay (the same as Dates: shift)' },
    'retain-patient-characteristics': { label: 'Retain Patient Characteristics', description: 'Keeps sex, age, size, weight, ethnic group, smoking, pregnancy' },
    'retain-device-identity': { label: 'Retain Device Identity', description: 'Keeps station name, device serial numbers and IDs (not AE titles)' },
    'retain-uids': { label: 'Retain UIDs', description: 'Keeps the original UIDs (the same as Regenerate UIDs off)' },
    'retain-safe-private': { label: 'Retain Safe Private', description: 'Keeps the private elements known to be safe, removes the others' },
    'retain-institution-identity': { label: 'Retain Institution Identity', description: 'Keeps institution name, address and department (not staff)' },
  },
  advanced: {
    row: (count) => `PS3.15 options… (${count} on)`,
    name: 'PS3.15 options',
    title: (profile) => `PS3.15 options (CID 7050) · Profile: ${profile}`,
    implied: '(on through the six options)',
    datesBy: (mode) => `→ ${mode} (PS3.15)`,
    conflict: (first, second) => `${first} and ${second} exclude each other.`,
  },
  anonymize: {
    heading: (total, outDir) => `Anonymizing ${plural(total, 'file', 'files')} into ${outDir}`,
    counts: (done, total) => `${done}/${total} files`,
    rate: (rate) => `${rate} files/s`,
    elapsed: (time) => `${time} elapsed`,
    left: (time) => `about ${time} left`,
    failures: (count) => `Failed (${count}):`,
    cancelling: 'Cancelling: files in progress finish, no new ones start…',
    finished: (anonymized, failed, skipped, seconds) =>
      `Done: ${anonymized} anonymized, ${failed} failed${skipped > 0 ? `, ${skipped} skipped` : ''} in ${seconds} s.`,
    cancelled: (done, total) => `Cancelled after ${done} of ${total} files. Every output written is complete.`,
    error: (message) => `Could not anonymize: ${message}`,
  },
  review: {
    columns: { original: 'Original', anonymized: 'Anonymized', status: 'Status', patientId: 'Patient ID', tags: 'Tags', uids: 'UIDs' },
    status: { anonymized: 'done', failed: 'failed', skipped: 'skipped' },
    empty: 'No files were processed.',
    reason: (reason) => `Reason: ${reason}`,
  },
  download: {
    zipPrompt: 'Save ZIP as: ',
    csvPrompt: 'Save mapping CSV as: ',
    overwrite: (file) => `${file} exists. Overwrite it? (y/n)`,
    yes: ['y'],
    kept: 'Not saved: the file that exists is left as it is.',
    writing: 'Writing…',
    zipDone: (file, count) => `ZIP: ${file} (${plural(count, 'file', 'files')})`,
    csvDone: (file, count) => `Mapping CSV: ${file} (${plural(count, 'row', 'rows')}, readable by you only)`,
    reminder: 'The mapping CSV links anonymized files back to patients: keep it separate and secure. It is never put in the ZIP.',
    insideOutput: 'Save the mapping outside the output folder: it must never travel with the images.',
    nothingToZip: 'No anonymized files to put in a ZIP.',
    failed: (message) => `Could not write: ${message}`,
  },
  compare: {
    title: (name) => `Before and after: ${name}`,
    before: 'Before (original)',
    after: 'After (anonymized)',
    legend: '* changed  - removed  + added',
    loading: 'Reading both files…',
    failed: (message) => `Cannot show this file: ${message}`,
  },
  picture: {
    name: 'Picture',
    heading: (side) => (side === 'before' ? 'Before (original): ' : side === 'after' ? 'After (anonymized): ' : 'Picture: '),
    caption: (facts) =>
      `frame ${facts.frame}/${facts.frames}  ${facts.width}×${facts.height}  ${facts.photometric}  ${facts.regionName === undefined ? 'no known region' : `region: ${facts.regionName}`}${facts.after ? '  (after cleaning)' : ''}`,
    loading: 'Reading the picture…',
    failed: (name, problem) => `${name}: ${problem}`,
    notAFile: 'p shows the picture of a file: move to one first.',
  },
  daemon: { title: 'Watch daemon', refreshed: (time) => `Refreshed every 2 s, last at ${time}.` },
  prompt: { hint: 'Enter: OK · Esc: cancel · Ctrl-U: clear' },
  help: { title: 'Keys', close: 'Press any key to close.', global: 'Everywhere' },
  keys: {
    global: [['?', 'this help'], ['d', 'watch daemon status'], ['q, Ctrl-C', 'quit']],
    pick: [
      ['↑ ↓, j k', 'move'], ['PgUp PgDn', 'move a page'], ['Enter', 'open folder'], ['Backspace', 'go up'],
      ['Space', 'select file or folder'], ['a', 'select every DICOM file below (with a filter: shown)'], ['/', 'filter by name'],
      ['c', 'clear the selection'], ['p', 'picture of the file, its regions outlined'], ['Tab', 'continue to the options'],
    ],
    configure: [
      ['↑ ↓, j k', 'move'], ['Space', 'switch on or off, or change'], ['← →', 'change the dates mode or the profile'],
      ['a', 'the PS3.15 options (or Enter on their row)'], ['o', 'change the output folder'], ['Enter', 'start anonymizing'], ['Esc', 'back to the files'],
    ],
    advanced: [
      ['↑ ↓, j k', 'move'], ['PgUp PgDn', 'move a page'], ['Space', 'switch the option on or off'], ['← →', 'change the profile'],
      ['Esc, Enter, a', 'back to the options'],
    ],
    anonymize: [['Esc', 'cancel (files in progress finish)'], ['Enter', 'review the results when done']],
    review: [['↑ ↓, j k', 'move'], ['Enter', 'attributes before and after'], ['p', 'picture before and after'], ['z', 'save a ZIP of the anonymized files'], ['m', 'save the mapping CSV'], ['Esc', 'back to the options']],
    compare: [['↑ ↓, j k', 'scroll'], ['PgUp PgDn', 'scroll a page'], ['c', 'only changed attributes'], ['p', 'picture before and after'], ['Esc', 'back to the results']],
    picture: [
      ['← →, [ ]', 'previous or next frame'], ['Home End', 'first or last frame'],
      ['a', 'after cleaning (regions filled), or the anonymized copy'], ['Esc, p', 'close the picture'],
    ],
  },
  hints: {
    pick: 'Space select · a all · Enter open · / filter · p picture · Tab next · ? help',
    configure: 'Space ← → change · a PS3.15 options · o output · Enter start · Esc back · ? help',
    advanced: 'Space on/off · ← → profile · Esc done · ? help',
    anonymize: 'Esc cancel · Enter review when done · ? help',
    review: 'Enter before/after · p picture · z ZIP · m mapping CSV · Esc options · ? help',
    compare: '↑ ↓ scroll · c only changes · p picture · Esc back · ? help',
    picture: '← → [ ] frame · a before/after · Esc back · ? help',
    daemon: 'Esc back · q quit',
    help: 'Any key: close',
  },
  runHints: {
    cancelling: 'q quit · ? help',
    done: 'Enter review · q quit · ? help',
    cancelled: 'Enter review · q quit · ? help',
    error: 'Enter or Esc back to the options · q quit · ? help',
  },
};

const de: Messages = {
  language: 'de',
  title: 'DICOM Tools',
  tooSmall: (columns, rows) => `Das Terminal ist zu klein: ${columns}×${rows}, nötig sind 60×16. Vergrößern, oder q zum Beenden.`,
  steps: { pick: '1 Dateien', configure: '2 Einstellungen', anonymize: '3 Anonymisieren', review: '4 Prüfen & Download' },
  options: {
    regenerateUids: { label: 'UIDs neu generieren', product: 'UIDs neu generieren', description: 'Neue UIDs aus Ihrem Schlüssel; Bezüge zwischen Dateien bleiben' },
    removePrivate: { label: 'Private Tags entfernen', product: 'Private Tags entfernen', description: 'Herstellerspezifische Elemente entfernen (können Identität enthalten)' },
    patient: { label: 'Patientendaten', product: 'Patientendaten', description: 'Name, ID, Geburtsdatum, Geschlecht, Alter, Adresse: Pseudonym/entfernt' },
    institution: { label: 'Institutionsdaten', product: 'Institutionsdaten', description: 'Einrichtung, Abteilung, Personal, Station und Gerät' },
    study: { label: 'Studiendaten', product: 'Studiendaten', description: 'Accession-Nummer, Studien-ID, Prozedur-IDs und -beschreibungen' },
    dates: { label: 'Datumsangaben', product: 'Datumsangaben', description: 'löschen: laut Profil · behalten · verschieben: je Patient' },
  },
  dateModes: { clear: 'löschen', keep: 'behalten', shift: 'verschieben' },
  pick: {
    up: '.. (hoch)',
    folder: 'Ordner',
    dicom: 'DICOM',
    notDicom: 'kein DICOM',
    output: 'Ausgabe',
    loading: 'Ordner wird gelesen…',
    empty: 'Dieser Ordner ist leer.',
    noMatch: (filter) => `Nichts passt zu "${filter}".`,
    cannotOpen: (reason) => `Ordner kann nicht geöffnet werden: ${reason}.`,
    filterPrompt: 'Filter: ',
    filterActive: (filter) => `Filter: "${filter}" (/ ändern, Esc löschen)`,
    scanning: 'Suche DICOM-Dateien unterhalb dieses Ordners…',
    added: (found, fresh, total) =>
      `${plural(found, 'DICOM-Datei', 'DICOM-Dateien')} ausgewählt${fresh < found ? ` (${fresh} neu)` : ''}${total > found ? `, insgesamt ${total}` : ''}.`,
    removed: (count) => `${plural(count, 'Datei', 'Dateien')} abgewählt.`,
    noneFound: 'Keine DICOM-Dateien unterhalb dieses Ordners.',
    noneMatching: (filter) => `Keine DICOM-Dateien hier passen zu "${filter}".`,
    selectFirst: 'Erst Dateien wählen: Leertaste wählt, a wählt alle DICOM-Dateien darunter.',
    selection: (count, size) => `Ausgewählt: ${plural(count, 'Datei', 'Dateien')}, ${size}`,
    position: (from, to, total) => `${from}-${to} von ${total}`,
  },
  configure: {
    heading: (count, size) => `Einstellungen für ${plural(count, 'Datei', 'Dateien')} (${size})`,
    outDir: (dir) => `Ausgabeordner: ${dir}`,
    outPrompt: 'Ausgabeordner: ',
    store: (store) => `Zuordnungsspeicher: ${store}`,
    profile: (edition, preset, codes) =>
      codes.length === 0 ? `Profil: DICOM PS3.15 ${edition}, Basic Application Level Confidentiality` : `Profil: PS3.15 ${edition}, ${preset}: Optionen ${codes.join(' ')}`,
    profileCount: (edition, preset, count) => `Profil: PS3.15 ${edition}, ${preset}: ${plural(count, 'Option', 'Optionen')} (a zeigt sie)`,
    siteRules: (name) => ` · Standortregeln ${name}`,
  },
  profiles: {
    label: 'Profil',
    names: { basic: 'Basis', research: 'Forschung', custom: 'Eigene' },
    description: (choice, count) =>
      choice === 'basic'
        ? 'Nur das Basic Profile, ohne PS3.15-Optionen'
        : choice === 'research'
          ? `Für die Forschung, wie TCIA: Basis + ${plural(count, 'Option', 'Optionen')} (a zeigt sie)`
          : `Basis + ${plural(count, 'Option', 'Optionen')} nach Wahl (a zeigt sie)`,
  },
  standardOptions: {
    'clean-pixel-data': { label: 'Pixeldaten bereinigen', description: 'Schwärzt eingebrannten Text laut Regionsliste oder US-Regionen' },
    'clean-graphics': { label: 'Grafiken bereinigen', description: 'Behält Grafik-Annotationen, identifizierender Text darin bereinigt' },
    'clean-structured-content': { label: 'Strukturierte Inhalte bereinigen', description: 'Behält strukturierte Berichte, identifizierender Text darin bereinigt' },
    'clean-descriptors': { label: 'Beschreibungen bereinigen', description: 'Behält Beschreibungen, Kommentare; identifizierender Text bereinigt' },
    'retain-full-dates': { label: 'Volle Daten behalten', description: 'Behält alle Datums- und Zeitangaben (wie Datumsangaben: behalten)' },
    'retain-modified-dates': { label: 'Verschobene Daten behalten', description: 'Je Patient verschoben, Abstände bleiben (wie Datumsangaben: verschieben)' },
    'retain-patient-characteristics': { label: 'Patientenmerkmale behalten', description: 'Behält Geschlecht, Alter, Größe, Gewicht, Ethnie, Rauchen, Schwangerschaft' },
    'retain-device-identity': { label: 'Geräteidentität behalten', description: 'Behält Stationsname, Seriennummern und Geräte-IDs (keine AE-Titel)' },
    'retain-uids': { label: 'UIDs behalten', description: 'Behält die Original-UIDs (wie UIDs neu generieren aus)' },
    'retain-safe-private': { label: 'Sichere private Tags behalten', description: 'Behält als sicher bekannte private Elemente, entfernt die übrigen' },
    'retain-institution-identity': { label: 'Institutionsidentität behalten', description: 'Behält Name, Adresse und Abteilung der Einrichtung (kein Personal)' },
  },
  advanced: {
    row: (count) => `PS3.15-Optionen… (${count} aktiv)`,
    name: 'PS3.15-Optionen',
    title: (profile) => `PS3.15-Optionen (CID 7050) · Profil: ${profile}`,
    implied: '(über die sechs Einstellungen)',
    datesBy: (mode) => `→ ${mode} (PS3.15)`,
    conflict: (first, second) => `${first} und ${second} schließen sich aus.`,
  },
  anonymize: {
    heading: (total, outDir) => `Anonymisiere ${plural(total, 'Datei', 'Dateien')} nach ${outDir}`,
    counts: (done, total) => `${done}/${total} Dateien`,
    rate: (rate) => `${rate} Dateien/s`,
    elapsed: (time) => `${time} vergangen`,
    left: (time) => `noch etwa ${time}`,
    failures: (count) => `Fehlgeschlagen (${count}):`,
    cancelling: 'Abbruch: laufende Dateien werden fertig, keine neuen beginnen…',
    finished: (anonymized, failed, skipped, seconds) =>
      `Fertig: ${anonymized} anonymisiert, ${failed} fehlgeschlagen${skipped > 0 ? `, ${skipped} übersprungen` : ''} in ${seconds} s.`,
    cancelled: (done, total) => `Abgebrochen nach ${done} von ${total} Dateien. Jede geschriebene Ausgabe ist vollständig.`,
    error: (message) => `Anonymisieren nicht möglich: ${message}`,
  },
  review: {
    columns: { original: 'Original', anonymized: 'Anonymisiert', status: 'Status', patientId: 'Patienten-ID', tags: 'Tags', uids: 'UIDs' },
    status: { anonymized: 'fertig', failed: 'Fehler', skipped: 'übersprungen' },
    empty: 'Es wurden keine Dateien verarbeitet.',
    reason: (reason) => `Grund: ${reason}`,
  },
  download: {
    zipPrompt: 'ZIP speichern als: ',
    csvPrompt: 'Zuordnungs-CSV speichern als: ',
    overwrite: (file) => `${file} existiert. Überschreiben? (j/n)`,
    yes: ['j', 'y'],
    kept: 'Nicht gespeichert: die vorhandene Datei bleibt, wie sie ist.',
    writing: 'Schreibe…',
    zipDone: (file, count) => `ZIP: ${file} (${plural(count, 'Datei', 'Dateien')})`,
    csvDone: (file, count) => `Zuordnungs-CSV: ${file} (${plural(count, 'Zeile', 'Zeilen')}, nur für Sie lesbar)`,
    reminder: 'Die Zuordnungs-CSV führt zurück zu den Patienten: getrennt und sicher aufbewahren. Sie kommt nie ins ZIP.',
    insideOutput: 'Die Zuordnung außerhalb des Ausgabeordners speichern: sie darf nie mit den Bildern weitergegeben werden.',
    nothingToZip: 'Keine anonymisierten Dateien für ein ZIP.',
    failed: (message) => `Schreiben nicht möglich: ${message}`,
  },
  compare: {
    title: (name) => `Vorher und nachher: ${name}`,
    before: 'Vorher (Original)',
    after: 'Nachher (anonymisiert)',
    legend: '* geändert  - entfernt  + hinzugefügt',
    loading: 'Lese beide Dateien…',
    failed: (message) => `Diese Datei kann nicht angezeigt werden: ${message}`,
  },
  picture: {
    name: 'Bild',
    heading: (side) => (side === 'before' ? 'Vorher (Original): ' : side === 'after' ? 'Nachher (anonymisiert): ' : 'Bild: '),
    caption: (facts) =>
      `Bild ${facts.frame}/${facts.frames}  ${facts.width}×${facts.height}  ${facts.photometric}  ${facts.regionName === undefined ? 'keine bekannte Region' : `Region: ${facts.regionName}`}${facts.after ? '  (nach Bereinigung)' : ''}`,
    loading: 'Bild wird gelesen…',
    failed: (name, problem) => `${name}: ${problem}`,
    notAFile: 'p zeigt das Bild einer Datei: erst zu einer gehen.',
  },
  daemon: { title: 'Überwachungsdienst', refreshed: (time) => `Alle 2 s aktualisiert, zuletzt um ${time}.` },
  prompt: { hint: 'Enter: OK · Esc: abbrechen · Strg-U: leeren' },
  help: { title: 'Tasten', close: 'Beliebige Taste schließt.', global: 'Überall' },
  keys: {
    global: [['?', 'diese Hilfe'], ['d', 'Status des Überwachungsdienstes'], ['q, Strg-C', 'beenden']],
    pick: [
      ['↑ ↓, j k', 'bewegen'], ['Bild↑ Bild↓', 'seitenweise'], ['Enter', 'Ordner öffnen'], ['Rücktaste', 'eine Ebene hoch'],
      ['Leertaste', 'Datei oder Ordner wählen'], ['a', 'alle DICOM-Dateien darunter wählen (mit Filter: gezeigte)'], ['/', 'nach Namen filtern'],
      ['c', 'Auswahl leeren'], ['p', 'Bild der Datei, Regionen umrandet'], ['Tab', 'weiter zu den Einstellungen'],
    ],
    configure: [
      ['↑ ↓, j k', 'bewegen'], ['Leertaste', 'ein- oder ausschalten, wechseln'], ['← →', 'Datumsmodus oder Profil ändern'],
      ['a', 'die PS3.15-Optionen (oder Enter auf ihrer Zeile)'], ['o', 'Ausgabeordner ändern'], ['Enter', 'Anonymisieren starten'], ['Esc', 'zurück zu den Dateien'],
    ],
    advanced: [
      ['↑ ↓, j k', 'bewegen'], ['Bild↑ Bild↓', 'seitenweise'], ['Leertaste', 'Option ein- oder ausschalten'], ['← →', 'Profil ändern'],
      ['Esc, Enter, a', 'zurück zu den Einstellungen'],
    ],
    anonymize: [['Esc', 'abbrechen (laufende Dateien werden fertig)'], ['Enter', 'Ergebnisse prüfen, wenn fertig']],
    review: [['↑ ↓, j k', 'bewegen'], ['Enter', 'Attribute vorher und nachher'], ['p', 'Bild vorher und nachher'], ['z', 'ZIP der anonymisierten Dateien speichern'], ['m', 'Zuordnungs-CSV speichern'], ['Esc', 'zurück zu den Einstellungen']],
    compare: [['↑ ↓, j k', 'blättern'], ['Bild↑ Bild↓', 'seitenweise'], ['c', 'nur geänderte Attribute'], ['p', 'Bild vorher und nachher'], ['Esc', 'zurück zu den Ergebnissen']],
    picture: [
      ['← →, [ ]', 'vorheriges oder nächstes Bild'], ['Pos1 Ende', 'erstes oder letztes Bild'],
      ['a', 'nach Bereinigung (Regionen gefüllt) oder anonymisierte Kopie'], ['Esc, p', 'Bild schließen'],
    ],
  },
  hints: {
    pick: 'Leer wählen · a alle · Enter öffnen · / Filter · p Bild · Tab weiter · ? Hilfe',
    configure: 'Leer ← → ändern · a PS3.15 · o Ausgabe · Enter Start · Esc zurück · ? Hilfe',
    advanced: 'Leer ein/aus · ← → Profil · Esc fertig · ? Hilfe',
    anonymize: 'Esc abbrechen · Enter prüfen, wenn fertig · ? Hilfe',
    review: 'Enter vorher/nachher · p Bild · z ZIP · m Zuordnungs-CSV · Esc zurück · ? Hilfe',
    compare: '↑ ↓ blättern · c nur Änderungen · p Bild · Esc zurück · ? Hilfe',
    picture: '← → [ ] Bild · a vorher/nachher · Esc zurück · ? Hilfe',
    daemon: 'Esc zurück · q beenden',
    help: 'Beliebige Taste: schließen',
  },
  runHints: {
    cancelling: 'q Ende · ? Hilfe',
    done: 'Enter prüfen · q Ende · ? Hilfe',
    cancelled: 'Enter prüfen · q Ende · ? Hilfe',
    error: 'Enter oder Esc zurück zu den Einstellungen · q Ende · ? Hilfe',
  },
};

export const MESSAGES: Readonly<Record<Language, Messages>> = { en, de };
