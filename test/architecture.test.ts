import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { importCycles } from './helpers/import-cycles.js';
import { layerViolations, libraryViolations, roomViolations, type LibraryOwners, type RoomLayers } from './helpers/import-rules.js';
import { readModuleTree } from './helpers/module-tree.js';

// The import rules of STYLE.md ("What this means for us"), checked on the source itself and, to
// show the checks can fail, on a small planted tree that breaks each of them.

const root = fileURLToPath(new URL('..', import.meta.url));
const packageJson = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { dependencies: Record<string, string>; optionalDependencies?: Record<string, string> };
// Optional dependencies (OCR) are runtime dependencies too, loaded only when asked for.
const DEPENDENCIES = [...Object.keys(packageJson.dependencies), ...Object.keys(packageJson.optionalDependencies ?? {})];

/** The one module of ours that imports each runtime dependency, so replacing it touches one file. */
const LIBRARY_OWNERS: LibraryOwners = {
  'better-sqlite3': ['src/store/sqlite-mapping-store.ts'],
  pg: ['src/store/postgres-mapping-store.ts'],
  pgpass: ['src/store/postgres-password.ts'],
  'csv-stringify': ['src/export/mapping-csv.ts'],
  'dicom-parser': ['src/dicom/byte-order.ts'],
  dotenv: ['src/config/config.ts'],
  yazl: ['src/export/zip-export.ts'],
  // One module per codec (pixels/codecs/), and the PNG writer of previews.
  '@cornerstonejs/codec-charls': ['src/pixels/codecs/jpeg-ls.ts'],
  '@cornerstonejs/codec-openjpeg': ['src/pixels/codecs/jpeg-2000.ts'],
  '@cornerstonejs/codec-openjph': ['src/pixels/codecs/htj2k.ts'],
  '@cornerstonejs/codec-libjpeg-turbo-8bit': ['src/pixels/codecs/jpeg-baseline-decode.ts'],
  'jpeg-lossless-decoder-js': ['src/pixels/codecs/jpeg-lossless.ts'],
  pngjs: ['src/pixels/png-picture.ts'],
  'tesseract.js': ['src/pixels/ocr-words.ts'],
  '@tesseract.js-data/eng': ['src/pixels/ocr-words.ts'],
  // The terminal UI is React components rendered by Ink: any module of tui/ may use both, nothing else.
  ink: ['tui/'],
  react: ['tui/'],
};

/**
 * The rooms of src/, from the bottom up; each imports only the layers below it. The planner
 * (deid/: what to do to each attribute, pure) sits below the pipeline (pipeline/: reads, writes,
 * workers, records), so planning never reaches a file, a thread or the store.
 */
const SRC_LAYERS: RoomLayers = [
  ['errors'],
  ['io', 'text'],
  ['dicom', 'status'],
  // Which images may carry burned-in text, and (issue 20) their regions and blanking: read by the planner.
  ['pixels'],
  ['deid'],
  ['config'],
  ['store'],
  ['pipeline', 'export'],
  ['cli'],
];

describe('module boundaries', () => {
  const tree = readModuleTree(root);

  it('has every module folder, and every relative import names a module of ours', () => {
    expect(tree.problems).toEqual([]);
  });

  it('lets each runtime dependency be imported only by its stated modules', () => {
    expect(libraryViolations(tree, DEPENDENCIES, LIBRARY_OWNERS)).toEqual([]);
  });

  it('keeps src/ free of daemon/, tui/ and bin/, and daemon/ and tui/ apart, reaching src/ through its index', () => {
    expect(layerViolations(tree)).toEqual([]);
  });

  it('has no import circles', () => {
    expect(importCycles(tree)).toEqual([]);
  });

  it('keeps each room of src/ to the layers below it, the planner below the pipeline', () => {
    expect(roomViolations(tree, SRC_LAYERS)).toEqual([]);
  });
});

describe('the module boundary checks, on a planted tree that breaks them', () => {
  const planted = mkdtempSync(path.join(tmpdir(), 'dicom-architecture-'));
  afterAll(() => rmSync(planted, { recursive: true, force: true }));

  function plant(tree: string, files: Record<string, string>): string {
    const treeRoot = path.join(planted, tree);
    for (const [file, text] of Object.entries(files)) {
      mkdirSync(path.dirname(path.join(treeRoot, file)), { recursive: true });
      writeFileSync(path.join(treeRoot, file), text);
    }
    return treeRoot;
  }

  const broken = readModuleTree(
    plant('broken', {
      'src/index.ts': "export { a } from './a.js';\n",
      'src/a.ts': "import { b } from './b.js';\nexport const a = (): number => b + 1;\n",
      'src/b.ts': "import type { a } from './a.js';\nexport const b = 1;\nexport type A = typeof a;\n",
      'src/x.ts': "import { ZipFile } from 'yazl';\nexport const zip = new ZipFile();\n",
      'src/y.ts': "import { createRequire } from 'node:module';\nexport const sqlite = createRequire(import.meta.url)('better-sqlite3');\n",
      'daemon/watch-daemon.ts': "import { watch } from 'chokidar';\nimport { a } from '../src/index.js';\nexport const run = () => [watch('.'), a()];\n",
      'tui/View.tsx': "import { Text } from 'ink';\nimport { a } from '../src/a.js';\nimport { run } from '../daemon/watch-daemon.js';\nexport const View = () => <Text>{a()}{String(run())}</Text>;\n",
      'tui/Missing.tsx': "export { gone } from './Gone.js';\n",
      'bin/cli.ts': "import { a } from '../src/a.js';\nimport { View } from '../tui/View.js';\nconsole.log(a(), View);\n",
    }),
  );

  it('finds a module importing a library it does not own (also through createRequire), and one no dependency names', () => {
    expect(libraryViolations(broken, DEPENDENCIES, LIBRARY_OWNERS).filter((problem) => / imports /.test(problem))).toEqual([
      'daemon/watch-daemon.ts imports chokidar, which is not a runtime dependency',
      'src/x.ts imports yazl, which only src/export/zip-export.ts may import',
      'src/y.ts imports better-sqlite3, which only src/store/sqlite-mapping-store.ts may import',
    ]);
  });

  it('finds a dependency without owners, owners of no dependency, and an owner that does not import its library', () => {
    expect(libraryViolations(broken, ['chokidar', 'ink', 'left-pad', 'yazl'], { chokidar: ['daemon/watch-daemon.ts', 'daemon/other.ts'], ink: ['tui/'], react: ['tui/'], yazl: ['src/y.ts', 'src/b.ts'] })).toEqual([
      'left-pad is a dependency without stated owners',
      'react has owners but is not a dependency',
      'src/x.ts imports yazl, which only src/y.ts, src/b.ts may import',
      'src/y.ts imports better-sqlite3, which is not a runtime dependency',
      'daemon/other.ts is named as an importer of chokidar but does not import it',
      'src/y.ts is named as an importer of yazl but does not import it',
      'src/b.ts is named as an importer of yazl but does not import it',
    ]);
  });

  it('finds two modules that import each other (a type-only import counts)', () => {
    expect(importCycles(broken)).toEqual(['src/a.ts -> src/b.ts -> src/a.ts']);
    expect(importCycles(broken)).toEqual(['src/a.ts -> src/b.ts -> src/a.ts']);
  });

  it('finds tui/ reaching past src/index.ts and importing daemon/', () => {
    expect(layerViolations(broken)).toEqual([
      'tui/View.tsx imports ../src/a.js: tui/ reaches src/ only through src/index.ts',
      'tui/View.tsx imports daemon/watch-daemon.ts: tui/ imports neither daemon/ nor bin/',
    ]);
  });

  it('finds a relative import that names no module', () => {
    expect(broken.problems).toEqual(['tui/Missing.tsx imports ./Gone.js, which names no module of ours']);
  });

  it('finds the planner importing the pipeline, a room importing one beside it, a module in no room and a room with no layer', () => {
    const rooms = readModuleTree(
      plant('rooms', {
        'src/index.ts': "export { plan } from './deid/plan.js';\n",
        'src/deid/plan.ts': "import { write } from '../pipeline/write.js';\nimport { fail } from '../errors/fail.js';\nexport const plan = () => [write, fail];\n",
        'src/pipeline/write.ts': "import { target } from '../export/target.js';\nexport const write = target;\n",
        'src/export/target.ts': 'export const target = 1;\n',
        'src/errors/fail.ts': "import { plan } from '../index.js';\nexport const fail = plan;\n",
        'src/loose.ts': 'export const loose = 1;\n',
        'src/scratch/blank.ts': 'export const blank = 1;\n',
        'daemon/run.ts': "export { plan } from '../src/index.js';\n",
        'tui/App.tsx': 'export {};\n',
        'bin/cli.ts': "import '../src/index.js';\n",
      }),
    );
    expect(roomViolations(rooms, SRC_LAYERS)).toEqual([
      'src/deid/plan.ts imports src/pipeline/write.ts: deid/ may not import pipeline/, which is above it',
      'src/errors/fail.ts imports src/index.ts: only the entry points import src/index.ts',
      'src/loose.ts is in no room: every module of src/ but index.ts lives in a folder',
      'src/pipeline/write.ts imports src/export/target.ts: pipeline/ may not import export/, which is beside it',
      'src/scratch/ has no place in the layer order',
    ]);
  });

  it('finds a missing module folder', () => {
    const partial = readModuleTree(plant('partial', { 'src/index.ts': 'export {};\n', 'bin/cli.ts': "import '../src/index.js';\n" }));
    expect(partial.problems).toEqual(['daemon/ is missing', 'tui/ is missing']);
  });
});
