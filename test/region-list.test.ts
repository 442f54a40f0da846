import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readDicomFile } from '../src/dicom/read-file.js';
import { firstMatchingEntry, type RegionList, type RegionMatch, type RegionTest } from '../src/pixels/region-list.js';
import { SHIPPED_REGION_LIST } from '../src/pixels/shipped-regions.generated.js';
import { corpusDir, referenceDir } from './helpers/corpus.js';

// The known burned-in regions (issue 20, §2): the shipped list as the shared library has it, and
// the first entry that matches an image, as CTP picks it.

const root = mkdtempSync(path.join(tmpdir(), 'dicom-regions-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** A copy of a corpus file with DCMTK's dcmodify edits (`-i "(gggg,eeee)=value"`). */
function edited(name: string, source: string, edits: readonly string[]): string {
  const target = path.join(root, name);
  copyFileSync(path.join(corpusDir, source), target);
  execFileSync('dcmodify', ['-q', '-nb', '-nrc', ...edits.flatMap((edit) => ['-i', edit]), target]);
  return target;
}

interface LibraryNode {
  all?: LibraryNode[];
  any?: LibraryNode[];
  not?: LibraryNode;
  tag?: string;
  test?: string;
  value?: string;
}
interface Library {
  source: { commit: string };
  signatures: { id: number; line: number; label: string | null; match: LibraryNode; regions: number[][] }[];
}

function fromLibrary(node: LibraryNode): RegionMatch {
  if (node.all) return { all: node.all.map(fromLibrary) };
  if (node.any) return { any: node.any.map(fromLibrary) };
  if (node.not) return { not: fromLibrary(node.not) };
  return { tag: Number.parseInt(node.tag ?? '', 16), test: node.test as RegionTest, value: node.value ?? '' };
}

const entryOf = (file: string, lists: readonly RegionList[] = [SHIPPED_REGION_LIST]) => firstMatchingEntry(lists, readDicomFile(file));

describe('the shipped region list', () => {
  it('is the shared library, entry for entry, in its order (regenerate with npm run generate:pixel-regions)', () => {
    const library = JSON.parse(readFileSync(path.join(referenceDir, 'pixel-regions.json'), 'utf8')) as Library;
    expect(SHIPPED_REGION_LIST.name).toBe(`dicom-tools regions from CTP ${library.source.commit.slice(0, 12)}`);
    expect(SHIPPED_REGION_LIST.entries).toHaveLength(52);
    SHIPPED_REGION_LIST.entries.forEach((entry, index) => {
      const signature = library.signatures[index]!;
      expect(entry.where).toBe(`entry ${signature.id} (line ${signature.line} of CTP's script)`);
      expect(entry.label).toBe(signature.label ?? '');
      expect(entry.match).toEqual(fromLibrary(signature.match));
      expect(entry.regions).toEqual(signature.regions);
    });
  });

  it('picks the Toshiba Aplio 500 entry for such an image, and none for an image of no listed device', () => {
    const aplio = edited('aplio.dcm', 'dcmqats_1_ELE.dcm', ['(0008,0060)=US', '(0008,0070)=TOSHIBA_MEC_US', '(0008,1090)=TUS-A500', '(0028,0010)=720', '(0028,0011)=960']);
    const choice = entryOf(aplio);
    expect(choice?.entry.label).toBe('Toshiba Aplio 500');
    expect(choice?.entry.regions).toEqual([[0, 0, 960, 60]]);
    // One attribute off (the size), and no other entry fits.
    expect(entryOf(edited('aplio-other-size.dcm', 'dcmqats_1_ELE.dcm', ['(0008,0060)=US', '(0008,0070)=TOSHIBA_MEC_US', '(0008,1090)=TUS-A500', '(0028,0010)=768', '(0028,0011)=1024'])))?.toBeUndefined();
    expect(entryOf(path.join(corpusDir, 'dcm4che_US-PAL-8-10x-echo.dcm'))).toBeUndefined();
  });

  it('lets the first match win: a GE screen capture of 512 rows takes entry 5 even when entry 6 fits too', () => {
    const ava = edited('ava.dcm', 'dcmqats_1_ELE.dcm', ['(0028,0301)=YES', '(0008,0070)=GE MEDICAL SYSTEMS', '(0008,103E)=AVA Report', '(0028,0010)=512', '(0028,0011)=512']);
    expect(entryOf(ava)?.entry.where).toBe("entry 5 (line 40 of CTP's script)");
    // A site list given first wins over the shipped one.
    const site: RegionList = { name: 'site.json', entries: [{ where: 'line 3', label: 'AVA', match: { tag: 0x0008103e, test: 'containsIgnoreCase', value: 'ava report' }, regions: [[0, 0, 200, 250]] }] };
    const choice = entryOf(ava, [site, SHIPPED_REGION_LIST]);
    expect(choice?.list.name).toBe('site.json');
    expect(choice?.entry.where).toBe('line 3');
  });
});

describe('region tests', () => {
  const file = () => edited('tests.dcm', 'dcmqats_1_ELE.dcm', ['(0008,0070)=Acme Imaging', '(0008,0008)=ORIGINAL\\PRIMARY\\AXIAL']);
  const listOf = (match: RegionMatch): RegionList => ({ name: 'test', entries: [{ where: 'line 1', label: '', match, regions: [[0, 0, 1, 1]] }] });
  const holds = (target: string, match: RegionMatch) => entryOf(target, [listOf(match)]) !== undefined;
  const MANUFACTURER = 0x00080070;

  it('reads each test as CTP does, on the value as text', () => {
    const target = file();
    const cases: readonly [RegionTest, string, boolean][] = [
      ['equals', 'Acme Imaging', true],
      ['equals', 'acme imaging', false],
      ['equalsIgnoreCase', 'ACME IMAGING', true],
      ['contains', 'me Im', true],
      ['contains', 'ME IM', false],
      ['containsIgnoreCase', 'ME IM', true],
      ['startsWith', 'Acme', true],
      ['startsWith', 'acme', false],
      ['startsWithIgnoreCase', 'acme', true],
      ['endsWith', 'Imaging', true],
      ['endsWithIgnoreCase', 'IMAGING', true],
      ['endsWith', 'Acme', false],
      ['matches', 'Acme.*', true],
      ['matches', 'Acme', false],
    ];
    for (const [test, value, expected] of cases) expect(holds(target, { tag: MANUFACTURER, test, value }), `${test} ${value}`).toBe(expected);
  });

  it('compares numbers, joins values with backslashes, reads a missing attribute as empty, and reads the meta header', () => {
    const target = file();
    expect(holds(target, { tag: 0x00280010, test: 'isLessThan', value: '385' })).toBe(true);
    expect(holds(target, { tag: 0x00280010, test: 'isLessThan', value: '384' })).toBe(false);
    expect(holds(target, { tag: 0x00280010, test: 'isGreaterThan', value: '383.5' })).toBe(true);
    expect(holds(target, { tag: 0x00280010, test: 'equals', value: '384' })).toBe(true);
    expect(holds(target, { tag: 0x00080008, test: 'equals', value: 'ORIGINAL\\PRIMARY\\AXIAL' })).toBe(true);
    expect(holds(target, { tag: 0x00400310, test: 'equals', value: '' })).toBe(true);
    expect(holds(target, { tag: 0x00400310, test: 'isLessThan', value: '1' })).toBe(false);
    expect(holds(target, { tag: 0x00020013, test: 'startsWith', value: 'OFFIS_DCMTK' })).toBe(true);
  });

  it('combines with all, any and not', () => {
    const target = file();
    const acme: RegionMatch = { tag: MANUFACTURER, test: 'contains', value: 'Acme' };
    const ge: RegionMatch = { tag: MANUFACTURER, test: 'contains', value: 'GE' };
    expect(holds(target, { all: [acme, ge] })).toBe(false);
    expect(holds(target, { any: [acme, ge] })).toBe(true);
    expect(holds(target, { not: ge })).toBe(true);
    expect(holds(target, { all: [acme, { not: ge }] })).toBe(true);
  });
});
