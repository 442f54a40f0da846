import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BIG_ENDIAN, LITTLE_ENDIAN } from '../src/dicom/byte-order.js';
import { dumpJson, formatDump } from '../src/dicom/dump.js';
import { formatG, formatValue } from '../src/dicom/format-value.js';
import { UNDEFINED_LENGTH } from '../src/dicom/model.js';
import { readDicomFile, type DicomFile } from '../src/dicom/read-file.js';
import { ITEM, ITEM_DELIMITATION, SEQUENCE_DELIMITATION } from '../src/dicom/tag.js';
import { hasShortLength, isVr } from '../src/dicom/vr.js';
import { corpusDir, corpusFiles } from './helpers/corpus.js';
import { parseDump, runDcmdump, type DumpLine } from './helpers/dcmdump.js';

const corpus = (name: string) => path.join(corpusDir, name);
const dumpLines = (name: string) => formatDump(readDicomFile(corpus(name))).split('\n');

describe('formatValue', () => {
  it('shows OW as 16-bit words in the byte order of the data set', () => {
    const bytes = Uint8Array.of(0x12, 0x34, 0xab, 0xcd);
    expect(formatValue('OW', bytes, BIG_ENDIAN, [])).toEqual({ text: '1234\\abcd', vm: 1 });
    expect(formatValue('OW', bytes, LITTLE_ENDIAN, [])).toEqual({ text: '3412\\cdab', vm: 1 });
  });

  it('cuts long binary values and number lists as dcmdump does', () => {
    const bytes = Uint8Array.from({ length: 30 }, (_, index) => index);
    expect(formatValue('OB', bytes, LITTLE_ENDIAN, []).text).toBe(
      '00\\01\\02\\03\\04\\05\\06\\07\\08\\09\\0a\\0b\\0c\\0d\\0e\\0f\\10\\11\\12\\13\\14\\15...',
    );
    const numbers = new Uint8Array(40 * 2);
    for (let index = 0; index < 40; index++) new DataView(numbers.buffer).setUint16(index * 2, 1000 + index, true);
    expect(formatValue('US', numbers, LITTLE_ENDIAN, [])).toEqual({
      text: '1000\\1001\\1002\\1003\\1004\\1005\\1006\\1007\\1008\\1009\\1010\\1011\\1012...',
      vm: 40,
    });
  });

  it('reports empty and padding-only values as having no value', () => {
    expect(formatValue('LO', Uint8Array.of(0x20, 0x20), LITTLE_ENDIAN, [])).toEqual({ text: '(no value available)', vm: 0 });
    expect(formatValue('US', new Uint8Array(0), LITTLE_ENDIAN, [])).toEqual({ text: '(no value available)', vm: 0 });
    expect(formatValue('OB', new Uint8Array(0), LITTLE_ENDIAN, [])).toEqual({ text: '(no value available)', vm: 1 });
  });

  it('prints floats as printf "%.9g" (FL) and "%.17g" (FD)', () => {
    expect(formatG(1.38, 17)).toBe('1.3799999999999999');
    expect(formatG(0.62, 17)).toBe('0.62');
    expect(formatG(1e-5, 9)).toBe('1e-05');
    expect(formatG(123456789012, 9)).toBe('1.23456789e+11');
    expect(formatG(-0.00157135096, 9)).toBe('-0.00157135096');
    expect(formatG(Number.NaN, 9)).toBe('nan');
  });
});

describe('formatDump', () => {
  it('prints headers, elements, sequences and items in the layout of dcmdump', () => {
    const lines = dumpLines('fodicom_GH178.dcm');
    expect(lines.slice(0, 7)).toEqual([
      '',
      '# Dicom-File-Format',
      '',
      '# Dicom-Meta-Information-Header',
      '# Used TransferSyntax: Little Endian Explicit',
      '(0002,0000) UL 170                                      #   4, 1 GroupLength',
      '(0002,0001) OB 00\\01                                    #   2, 1 FileMetaInformationVersion',
    ]);
    expect(lines).toContain('(0002,0013) SH (no value available)                     #   0, 0 ImplementationVersionName');
    expect(lines.slice(12, 15)).toEqual(['', '# Dicom-Data-Set', '# Used TransferSyntax: Little Endian Explicit']);
    expect(lines).toContain('(0008,0008) CS [DERIVED\\SECONDARY\\SCREEN SAVE]          #  30, 3 ImageType');
    expect(lines).toContain('(0028,0010) US 512                                      #   2, 1 Rows');
    const sequence = lines.indexOf('(0040,0275) SQ (Sequence with undefined length #=1)     # u/l, 1 RequestAttributesSequence');
    expect(lines.slice(sequence, sequence + 11)).toEqual([
      '(0040,0275) SQ (Sequence with undefined length #=1)     # u/l, 1 RequestAttributesSequence',
      '  (FFFE,E000) na (Item with explicit length #=10)         # 264, 1 Item',
      '    (0008,0000) UL 164                                      #   4, 1 GroupLength',
      '    (0008,0050) SH [2994400]                                #   8, 1 AccessionNumber',
      '    (0008,1110) SQ (Sequence with undefined length #=1)     # u/l, 1 ReferencedStudySequence',
      '      (FFFE,E000) na (Item with explicit length #=3)          #  80, 1 Item',
      '        (0008,0000) UL 144                                      #   4, 1 GroupLength',
      '        (0008,1150) UI [1.2.840.10008.3.1.2.3.1]                #  24, 1 ReferencedSOPClassUID',
      '        (0008,1155) UI [1.2.840.113681.1.99.2994400]            #  28, 1 ReferencedSOPInstanceUID',
      '      (FFFE,E00D) na (ItemDelimitationItem for re-encoding)   #   0, 0 ItemDelimitationItem',
      '    (FFFE,E0DD) na (SequenceDelimitationItem)               #   0, 0 SequenceDelimitationItem',
    ]);
    // Line breaks are quoted, so every element stays on one line; long values are cut like dcmdump cuts them.
    expect(lines).toContain(
      '(0040,0310) ST [TotalDLP=1748.68&#13;&#10;Event=1&#13;&#10;Event=2&#13;&#10;Event=... #  74, 1 CommentsOnRadiationDose',
    );
    expect(lines.at(-1)).toBe('');
  });

  it('decodes text in an item with the Specific Character Set the item inherits', () => {
    expect(dumpLines('fodicom_chrSQEncoding1.dcm').slice(15, 22)).toEqual([
      '(0008,0005) CS [ISO 2022 IR 13\\ISO 2022 IR 87]          #  30, 2 SpecificCharacterSet',
      '(0008,0100) SH [Code Value]                             #  10, 1 CodeValue',
      '(0032,1032) PN [Doctor^Who^^MD]                         #  14, 1 RequestingPhysician',
      '(0032,1064) SQ (Sequence with explicit length #=1)      #  90, 1 RequestedProcedureCodeSequence',
      '  (FFFE,E000) na (Item with explicit length #=2)          #  82, 1 Item',
      '    (0008,0100) SH [CodeValue]                              #  10, 1 CodeValue',
      '    (0010,0010) PN [ﾔﾏﾀﾞ^ﾀﾛｳ=山田^太郎=やまだ^たろう]                 #  56, 1 PatientName',
    ]);
  });

  it('decodes text in a DICOMDIR record with the character set the record declares', () => {
    expect(dumpLines('dcm4che_DICOMDIR')).toContain('    (0010,0010) PN [Люкceмбypг]                             #  10, 1 PatientName');
  });

  it('shows UN sequences: CP-246 (undefined length, implicit items) and items found in a defined-length UN', () => {
    const cp246 = dumpLines('fodicom_GH177_BigEndian_undefined_length.dcm');
    const start = cp246.indexOf('(0008,2112) UN (Sequence with undefined length #=1)     # u/l, 1 SourceImageSequence');
    expect(cp246.slice(start + 1, start + 4)).toEqual([
      '  (FFFE,E000) na (Item with explicit length #=2)          #  88, 1 Item',
      '    (0008,1150) UI [1.2.840.10008.5.1.4.1.1.2]              #  26, 1 ReferencedSOPClassUID',
      '    (0008,1155) UI [1.3.6.1.4.1.5962.1.1.1.1.1.20031208063649.855] #  46, 1 ReferencedSOPInstanceUID',
    ]);
    // Big endian numbers.
    expect(cp246).toContain('(0009,1027) SL 862399669                                #   4, 1 PrivateTag');

    const explicitItems = dumpLines('dcm4che_explicitVRwithinUNsequence.dcm');
    const sequence = explicitItems.indexOf('(0010,2202) UN (Sequence with explicit length #=1)      #  50, 1 PatientSpeciesCodeSequence');
    expect(explicitItems.slice(sequence - 1, sequence + 8)).toEqual([
      '(0010,2201) UN 63\\61\\6e\\69\\6e\\61                        #   6, 1 PatientSpeciesDescription',
      '(0010,2202) UN (Sequence with explicit length #=1)      #  50, 1 PatientSpeciesCodeSequence',
      '  (FFFE,E000) na (Item with explicit length #=4)          #  42, 1 Item',
      '    (0008,0000) UL 30                                       #   4, 1 GroupLength',
      '    (0008,0100) SH (no value available)                     #   0, 0 CodeValue',
      '    (0008,0102) SH (no value available)                     #   0, 0 CodingSchemeDesignator',
      '    (0008,0104) LO [canina]                                 #   6, 1 CodeMeaning',
      '  (FFFE,E00D) na (ItemDelimitationItem for re-encoding)   #   0, 0 ItemDelimitationItem',
      '(FFFE,E0DD) na (SequenceDelimitationItem for re-encod.) #   0, 0 SequenceDelimitationItem',
    ]);
  });

  it('lists the fragments of encapsulated pixel data without reading them, and what follows', () => {
    expect(dumpLines('fodicom_D_CLUNIE_CT1_RLE_FRAGS.dcm').slice(-10)).toEqual([
      '(0043,104E) FL 10.6006098                               #   4, 1 PrivateTag',
      '(7FE0,0010) OW (PixelSequence #=5)                      # u/l, 1 PixelData',
      '  (FFFE,E000) pi (no value available)                     #   0, 1 Item',
      '  (FFFE,E000) pi (not loaded)                             # 65536, 1 Item',
      '  (FFFE,E000) pi (not loaded)                             # 65536, 1 Item',
      '  (FFFE,E000) pi (not loaded)                             # 65536, 1 Item',
      '  (FFFE,E000) pi (not loaded)                             # 51722, 1 Item',
      '(FFFE,E0DD) na (SequenceDelimitationItem)               #   0, 0 SequenceDelimitationItem',
      '(FFFC,FFFC) OB 0a\\00\\fe\\00\\04\\00\\01\\00\\00\\00\\00\\00\\00\\00\\00\\01\\04\\00\\01\\00\\00\\00... # 126, 1 DataSetTrailingPadding',
      '',
    ]);
  });

  it('never shows native Pixel Data, even when its bytes happen to be in memory', () => {
    expect(dumpLines('fodicom_chrGreek.dcm')).toContain('(7FE0,0010) OB (not loaded)                             # 1024, 1 PixelData');
  });

  it('prints a bare data set (no File Meta Information) under an empty meta header, as dcmdump does', () => {
    expect(dumpLines('fodicom_CR-MONO1-10-chest.dcm').slice(0, 9)).toEqual([
      '',
      '# Dicom-File-Format',
      '',
      '# Dicom-Meta-Information-Header',
      '# Used TransferSyntax: Unknown Transfer Syntax',
      '',
      '# Dicom-Data-Set',
      '# Used TransferSyntax: Little Endian Implicit',
      '(0008,0000) UL 286                                      #   4, 1 GroupLength',
    ]);
  });
});

describe('formatDump and dumpJson on a hand-made file', () => {
  const directory = mkdtempSync(path.join(tmpdir(), 'dump-test-'));
  afterAll(() => rmSync(directory, { recursive: true, force: true }));
  const file = path.join(directory, 'made.dcm');
  writeFileSync(
    file,
    Buffer.concat([
      Buffer.alloc(128),
      Buffer.from('DICM', 'latin1'),
      element(0x00020010, 'UI', '1.2.840.10008.1.2.1\0'), // Transfer Syntax UID: Explicit VR Little Endian
      element(0x00080005, 'CS', 'ISO_IR 192'), // Specific Character Set: UTF-8
      element(0x00100010, 'PN', Buffer.from('Müller^Jörg', 'utf8')), // Patient's Name in UTF-8
      element(0x00181320, 'FL', float32(1 / 3)), // B1rms
      element(0x00189306, 'FD', float64(0.62)), // Single Collimation Width
      element(0x00280009, 'AT', Buffer.from([0x18, 0x00, 0x63, 0x10, 0x20, 0x00, 0x32, 0x00])), // Frame Increment Pointer: (0018,1063)\(0020,0032)
      header(0x00400275, 'SQ', UNDEFINED_LENGTH), // Request Attributes Sequence, undefined length
      itemTag(ITEM, UNDEFINED_LENGTH), // item 1, undefined length
      element(0x00080005, 'CS', 'ISO_IR 100'), //   its own Specific Character Set: Latin-1
      element(0x00100010, 'PN', Buffer.from('Jérôme^Buc', 'latin1')), //   Patient's Name in Latin-1
      itemTag(ITEM_DELIMITATION, 0), // item delimitation
      itemTag(ITEM, UNDEFINED_LENGTH), // item 2, undefined length
      element(0x00100010, 'PN', Buffer.from('Jörg', 'utf8')), //   Patient's Name, UTF-8 inherited
      itemTag(ITEM_DELIMITATION, 0), // item delimitation
      itemTag(SEQUENCE_DELIMITATION, 0), // sequence delimitation
      element(0x00720082, 'SV', Buffer.concat([int64(-1n), int64(1n << 62n)])), // Selector SV Value: -1\2^62
      itemTag(SEQUENCE_DELIMITATION, 0), // a stray sequence delimitation at data set level
      element(0x7fe00010, 'OB', Buffer.from([1, 2, 3, 4])), // Pixel Data, in memory but never shown
    ]),
  );

  it('formats each kind of value', () => {
    expect(formatDump(readDicomFile(file)).split('\n').slice(9)).toEqual([
      '(0008,0005) CS [ISO_IR 192]                             #  10, 1 SpecificCharacterSet',
      '(0010,0010) PN [Müller^Jörg]                            #  14, 1 PatientName',
      '(0018,1320) FL 0.333333343                              #   4, 1 B1rms',
      '(0018,9306) FD 0.62                                     #   8, 1 SingleCollimationWidth',
      '(0028,0009) AT (0018,1063)\\(0020,0032)                  #   8, 2 FrameIncrementPointer',
      '(0040,0275) SQ (Sequence with undefined length #=2)     # u/l, 1 RequestAttributesSequence',
      '  (FFFE,E000) na (Item with undefined length #=2)         # u/l, 1 Item',
      '    (0008,0005) CS [ISO_IR 100]                             #  10, 1 SpecificCharacterSet',
      '    (0010,0010) PN [Jérôme^Buc]                             #  10, 1 PatientName',
      '  (FFFE,E00D) na (ItemDelimitationItem)                   #   0, 0 ItemDelimitationItem',
      '  (FFFE,E000) na (Item with undefined length #=1)         # u/l, 1 Item',
      '    (0010,0010) PN [Jörg]                                   #   6, 1 PatientName',
      '  (FFFE,E00D) na (ItemDelimitationItem)                   #   0, 0 ItemDelimitationItem',
      '(FFFE,E0DD) na (SequenceDelimitationItem)               #   0, 0 SequenceDelimitationItem',
      '(0072,0082) SV -1\\4611686018427387904                   #  16, 2 SelectorSVValue',
      '(FFFE,E0DD) na (stray SequenceDelimitationItem)         #   0, 0 SequenceDelimitationItem',
      '(7FE0,0010) OB (not loaded)                             #   4, 1 PixelData',
      '',
    ]);
  });

  it('gives the same content as JSON', () => {
    const json = dumpJson(readDicomFile(file));
    expect(json.transferSyntax).toEqual({ uid: '1.2.840.10008.1.2.1', name: 'Little Endian Explicit' });
    expect(json.layout).toBe('part10');
    expect(json.meta).toEqual([{ tag: '(0002,0010)', vr: 'UI', keyword: 'TransferSyntaxUID', length: 20, offset: 132, value: ['1.2.840.10008.1.2.1'] }]);
    expect(json.dataSet).toEqual([
      { tag: '(0008,0005)', vr: 'CS', keyword: 'SpecificCharacterSet', length: 10, offset: 160, value: ['ISO_IR 192'] },
      { tag: '(0010,0010)', vr: 'PN', keyword: 'PatientName', length: 14, offset: 178, value: ['Müller^Jörg'] },
      { tag: '(0018,1320)', vr: 'FL', keyword: 'B1rms', length: 4, offset: 200, value: [Math.fround(1 / 3)] },
      { tag: '(0018,9306)', vr: 'FD', keyword: 'SingleCollimationWidth', length: 8, offset: 212, value: [0.62] },
      { tag: '(0028,0009)', vr: 'AT', keyword: 'FrameIncrementPointer', length: 8, offset: 228, value: ['(0018,1063)', '(0020,0032)'] },
      {
        tag: '(0040,0275)',
        vr: 'SQ',
        keyword: 'RequestAttributesSequence',
        length: 82,
        undefinedLength: true,
        offset: 244,
        items: [
          [
            { tag: '(0008,0005)', vr: 'CS', keyword: 'SpecificCharacterSet', length: 10, offset: 264, value: ['ISO_IR 100'] },
            { tag: '(0010,0010)', vr: 'PN', keyword: 'PatientName', length: 10, offset: 282, value: ['Jérôme^Buc'] },
          ],
          [{ tag: '(0010,0010)', vr: 'PN', keyword: 'PatientName', length: 6, offset: 316, value: ['Jörg'] }],
        ],
      },
      { tag: '(0072,0082)', vr: 'SV', keyword: 'SelectorSVValue', length: 16, offset: 346, value: [-1, '4611686018427387904'] },
      { tag: '(FFFE,E0DD)', vr: 'UN', keyword: 'SequenceDelimitationItem', length: 0, offset: 374, stray: true },
      { tag: '(7FE0,0010)', vr: 'OB', keyword: 'PixelData', length: 4, offset: 382 },
    ]);
  });
});

describe('dumpJson', () => {
  it('lists elements with offsets, decoded values and items', () => {
    const json = dumpJson(readDicomFile(corpus('fodicom_chrSQEncoding1.dcm')));
    expect(json.dataSet).toEqual([
      { tag: '(0008,0005)', vr: 'CS', keyword: 'SpecificCharacterSet', length: 30, offset: 340, value: ['ISO 2022 IR 13', 'ISO 2022 IR 87'] },
      { tag: '(0008,0100)', vr: 'SH', keyword: 'CodeValue', length: 10, offset: 378, value: ['Code Value'] },
      { tag: '(0032,1032)', vr: 'PN', keyword: 'RequestingPhysician', length: 14, offset: 396, value: ['Doctor^Who^^MD'] },
      {
        tag: '(0032,1064)',
        vr: 'SQ',
        keyword: 'RequestedProcedureCodeSequence',
        length: 90,
        offset: 418,
        items: [
          [
            { tag: '(0008,0100)', vr: 'SH', keyword: 'CodeValue', length: 10, offset: 438, value: ['CodeValue'] },
            { tag: '(0010,0010)', vr: 'PN', keyword: 'PatientName', length: 56, offset: 456, value: ['ﾔﾏﾀﾞ^ﾀﾛｳ=山田^太郎=やまだ^たろう'] },
          ],
        ],
      },
    ]);
  });

  it('counts fragments of encapsulated pixel data and gives no value for it', () => {
    const pixelData = dumpJson(readDicomFile(corpus('fodicom_D_CLUNIE_CT1_RLE_FRAGS.dcm'))).dataSet.find((element) => element.tag === '(7FE0,0010)');
    expect(pixelData).toEqual({ tag: '(7FE0,0010)', vr: 'OW', keyword: 'PixelData', length: 248370, undefinedLength: true, offset: 6404, fragments: 5 });
  });
});

// ---------------------------------------------------------------------------------------------
// Comparison with DCMTK's dcmdump, an independent reader, on every corpus file it can read.
//   -q   quiet: its warnings (e.g. encapsulated Pixel Data with VR OW) are not our concern here
//   +Qn  control and non-ASCII characters as "&#N;": one line per element, as in our dump
//   -Un  UIDs as numbers, not names ("=CTImageStorage")
// Values are loaded in full (its default +M), so that they can be compared too.
// ---------------------------------------------------------------------------------------------
const DCMDUMP_ARGS = ['-q', '+Qn', '-Un'];

describe('the corpus', () => {
  it('has a MANIFEST.tsv row for every file, so that none is left out of the comparison', () => {
    const onDisk = readdirSync(corpusDir).filter((name) => name.endsWith('.dcm') || name === 'dcm4che_DICOMDIR');
    expect(corpusFiles().map((entry) => entry.name).sort()).toEqual(onDisk.sort());
  });
});

describe('formatDump against dcmdump', () => {
  it.each(corpusFiles().filter((entry) => entry.dcmdumpOk).map((entry) => entry.name))('%s', (name) => {
    compareWithDcmdump(corpus(name), DCMDUMP_ARGS);
  });

  it('dcm4che_no_preamble_dicm_in_data.dcm (read by dcmdump only as a bare Explicit VR LE data set: -f -te)', () => {
    // Its MANIFEST row says FAIL: dcmdump takes the "DICM" at byte 128 for a Part 10 prefix unless told otherwise.
    compareWithDcmdump(corpus('dcm4che_no_preamble_dicm_in_data.dcm'), [...DCMDUMP_ARGS, '-f', '-te']);
  });
});

function compareWithDcmdump(filePath: string, args: readonly string[]): void {
  const file = readDicomFile(filePath);
  const ours = withoutUnreadByDcmdump(parseDump(formatDump(file)));
  const theirs = parseDump(runDcmdump(filePath, args));
  // Structure: the same elements, in the same order, at the same depth.
  const position = (line: DumpLine) => `${line.section} ${line.depth} ${line.tag}`;
  expect(ours.map(position)).toEqual(theirs.map(position));
  // Then, element by element: VR, length, VM and (where both print the same thing) the value.
  const differences: string[] = [];
  let comparedValues = 0;
  ours.forEach((our, index) => {
    const their = theirs[index] as DumpLine;
    const where = `${position(our)}:`;
    const vr = compareVr(our, their, file);
    if (vr === 'different') differences.push(`${where} VR ${our.vr}, dcmdump ${their.vr}`);
    if (our.length !== their.length || our.vm !== their.vm) {
      differences.push(`${where} length ${our.length} VM ${our.vm}, dcmdump length ${their.length} VM ${their.vm}`);
    }
    if (vr !== 'same' || !valuesComparable(our, their)) return;
    comparedValues++;
    if (!sameValue(our, their)) differences.push(`${where} value ${our.value}, dcmdump ${their.value}`);
  });
  expect(differences).toEqual([]);
  expect(comparedValues).toBeGreaterThan(0);
}

/**
 * Exception: dcmdump does not look inside a UN element of defined length (it would need +uc, which
 * then reads the items as Implicit VR and fails on files whose items are Explicit VR, like
 * dcm4che_explicitVRwithinUNsequence). Our reader finds the items; the UN element itself is still
 * compared, its items are not (the unit test above checks them).
 */
function withoutUnreadByDcmdump(lines: readonly DumpLine[]): DumpLine[] {
  const kept: DumpLine[] = [];
  let inside: number | undefined;
  for (const line of lines) {
    if (inside !== undefined && line.depth > inside) continue;
    inside = line.vr === 'UN' && line.value.startsWith('(Sequence with explicit length') ? line.depth : undefined;
    kept.push(line);
  }
  return kept;
}

/** 'accepted': a known, legitimate difference (listed here with its reason); values are then not compared. */
function compareVr(our: DumpLine, their: DumpLine, file: DicomFile): 'same' | 'accepted' | 'different' {
  // DCMTK's internal VR "up" (unsigned pointer) for DICOMDIR offsets (0004,1200/1202/1400/1420): written as UL.
  if (our.vr === their.vr || (their.vr === 'up' && our.vr === 'UL')) return 'same';
  // Encapsulated Pixel Data: dcmdump always says OB, even when the file says OW (two corpus files do).
  if (our.value.startsWith('(PixelSequence') && their.vr === 'OB') return 'accepted';
  // A UN element of undefined length is a sequence with Implicit VR LE items (CP-246): dcmdump says
  // SQ; we keep the VR the file has.
  if (our.vr === 'UN' && our.value.startsWith('(Sequence with undefined length') && their.vr === 'SQ') return 'accepted';
  // "US or SS" in an implicit VR file: DCMTK leaves it unresolved ("xs"); we pick by Pixel Representation.
  if (their.vr === 'xs' && (our.vr === 'US' || our.vr === 'SS') && !file.encoding.explicitVr) return 'accepted';
  // A private element in an implicit VR data set has no VR in the file. We say UN; DCMTK looks the
  // tag up in its private dictionary (by private creator) and says "??" when it is not there.
  if (our.vr === 'UN' && !file.encoding.explicitVr && isPrivateGroup(our.tag)) return 'accepted';
  return 'different';
}

function isPrivateGroup(tag: string): boolean {
  return Number.parseInt(tag.slice(1, 5), 16) % 2 === 1;
}

const FLOAT_VRS = new Set(['FL', 'FD', 'OF', 'OD']);
const PIXEL_DATA_TAGS = new Set(['(7fe0,0010)', '(7fe0,0008)', '(7fe0,0009)']);

function valuesComparable(our: DumpLine, their: DumpLine): boolean {
  // dcmdump prints floats with DCMTK's own ftoa, which can differ from a correctly rounded printf
  // "%.9g"/"%.17g" in the last digit (FD 0.62 as 0.62000000000000002, FL 4.0950002 as 4.095000267).
  if (FLOAT_VRS.has(our.vr)) return false;
  // Top-level Pixel Data: dcmdump loads and prints it; we never read it.
  if (our.depth === 0 && PIXEL_DATA_TAGS.has(our.tag) && our.value === '(not loaded)') return false;
  // A defined-length UN holding items: dcmdump prints bytes where we print the sequence (see above).
  if (our.vr === 'UN' && our.value.startsWith('(Sequence')) return false;
  // Text outside ASCII: dcmdump prints the raw bytes (ESC sequences, 8-bit codes) where we decode
  // the Specific Character Set; the unit tests above check decoded text.
  return ![...their.value.matchAll(/&#(\d+);/g)].some(([, code]) => Number(code) >= 128 || Number(code) === 27);
}

function sameValue(our: DumpLine, their: DumpLine): boolean {
  // Our dump writes tags in upper case, in AT values too.
  if (our.vr === 'AT') return our.value === their.value.toUpperCase();
  // The reader's decodeValue strips trailing NUL padding from every string; DCMTK only from UI
  // (fodicom_D_CLUNIE_CT1_RLE_FRAGS has DS values ending in a NUL).
  const theirs = their.value.replace(/(&#0;)+\]$/, ']');
  // +Qn also writes < > & " ' as entities, and dcmdump cuts a long value after quoting it, so
  // it keeps fewer characters than we do: then what it kept must begin our value.
  if (/&(lt|gt|amp|quot|apos);/.test(theirs) && theirs.endsWith('...')) {
    return our.value.startsWith(unquote(theirs.slice(0, -3).replace(/&[a-z]*$/, '')));
  }
  return our.value === unquote(theirs);
}

function unquote(text: string): string {
  return text.replace(/&(lt|gt|amp|quot|apos);/g, (_, name: string) => ENTITIES[name] ?? '');
}

const ENTITIES: Readonly<Record<string, string>> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

// Hand-made Explicit VR Little Endian elements for the small test file.
function element(tag: number, vr: string, value: string | Uint8Array): Buffer {
  const bytes = typeof value === 'string' ? Buffer.from(value, 'latin1') : Buffer.from(value);
  const padded = bytes.length % 2 === 0 ? bytes : Buffer.concat([bytes, Buffer.from(vr === 'UI' ? [0] : [0x20])]);
  return Buffer.concat([header(tag, vr, padded.length), padded]);
}

function header(tag: number, vr: string, length: number): Buffer {
  if (!isVr(vr)) throw new Error(`not a VR: ${vr}`);
  const short = hasShortLength(vr);
  const bytes = Buffer.alloc(short ? 8 : 12);
  bytes.writeUInt16LE(tag >>> 16, 0);
  bytes.writeUInt16LE(tag & 0xffff, 2);
  bytes.write(vr, 4, 'latin1');
  if (short) bytes.writeUInt16LE(length, 6);
  else bytes.writeUInt32LE(length, 8);
  return bytes;
}

/** An Item or Delimitation tag with its 4-byte length (these have no VR). */
function itemTag(tag: number, length: number): Buffer {
  const bytes = Buffer.alloc(8);
  bytes.writeUInt16LE(tag >>> 16, 0);
  bytes.writeUInt16LE(tag & 0xffff, 2);
  bytes.writeUInt32LE(length, 4);
  return bytes;
}

function float64(value: number): Buffer {
  const bytes = Buffer.alloc(8);
  bytes.writeDoubleLE(value);
  return bytes;
}

function float32(value: number): Buffer {
  const bytes = Buffer.alloc(4);
  bytes.writeFloatLE(value);
  return bytes;
}

function int64(value: bigint): Buffer {
  const bytes = Buffer.alloc(8);
  bytes.writeBigInt64LE(value);
  return bytes;
}
