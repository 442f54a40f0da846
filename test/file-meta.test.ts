// Outputs carry a complete File Meta Information (PS3.10 7.1) naming our implementation, whatever
// the source's meta held or lacked, and a source without a Transfer Syntax UID is read as its data
// says. Checked with DCMTK's dcmdump, an independent reader.
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_OPTIONS } from '../src/deid/options.js';
import { planDeidentification } from '../src/deid/plan-deid.js';
import { Pseudonymizer } from '../src/deid/pseudonyms.js';
import { textAt } from '../src/dicom/element-access.js';
import { MalformedDicomError } from '../src/dicom/errors.js';
import { IMPLEMENTATION_CLASS_UID, IMPLEMENTATION_VERSION_NAME } from '../src/dicom/implementation.js';
import { readDicomFile } from '../src/dicom/read-file.js';
import { writeDicomFile } from '../src/dicom/write-dicom-file.js';
import { commitOutputs } from '../src/io/atomic-file.js';
import { writeDeidentifiedTemporary } from '../src/pipeline/write-deidentified.js';
import { corpusDir } from './helpers/corpus.js';
import { dcmdumpErrors, dcmdumpMeta } from './helpers/dcmdump-meta.js';
import { withoutMetaElements } from './helpers/meta-edit.js';
import { runCli } from './helpers/run-cli.js';

const root = mkdtempSync(path.join(tmpdir(), 'dicom-file-meta-'));
const env = { DICOM_DATA_DIR: path.join(root, 'data'), DICOM_ANON_SECRET: 'a secret for the file meta tests, 0123' };
afterAll(() => rmSync(root, { recursive: true, force: true }));

const TRANSFER_SYNTAX = 0x00020010;
const SOP_INSTANCE_UID = 0x00080018;
const OUR_META = { '(0002,0001)': '00\\01', '(0002,0012)': IMPLEMENTATION_CLASS_UID, '(0002,0013)': IMPLEMENTATION_VERSION_NAME };
const REQUIRED = ['(0002,0000)', '(0002,0001)', '(0002,0002)', '(0002,0003)', '(0002,0010)', '(0002,0012)', '(0002,0013)'];

/** Anonymizes the one file `input` with the built CLI into a fresh folder; returns the output's path. */
function anonymizeWithCli(name: string, input: string, warning?: string): string {
  const out = path.join(root, `out-${name}`);
  const result = runCli(['anonymize', input, '--out', out], { env });
  expect(result.stderr).toContain('Anonymized 1 file');
  if (warning !== undefined) expect(result.stderr).toContain(`${input}: warning: ${warning}`);
  expect(result.status).toBe(0);
  const [output] = readdirSync(out);
  return path.join(out, output ?? '');
}

function scratch(name: string, bytes: Buffer): string {
  const file = path.join(root, 'in', name);
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, bytes);
  return file;
}

describe('a File Meta Information without Transfer Syntax UID (0002,0010)', () => {
  const cases = [
    ['Implicit VR Little Endian', 'dcmqats_2_ILE.dcm', '1.2.840.10008.1.2'],
    ['Explicit VR Little Endian', 'dcmqats_1_ELE.dcm', '1.2.840.10008.1.2.1'],
    ['Explicit VR Big Endian', 'dcmqats_3_EBE.dcm', '1.2.840.10008.1.2.2'],
  ] as const;

  it.each(cases)('is read as %s, as the first data element is encoded, with a warning', (_, name, uid) => {
    const original = readDicomFile(path.join(corpusDir, name));
    const file = readDicomFile(scratch(`no-ts-${name}`, withoutMetaElements(path.join(corpusDir, name), [TRANSFER_SYNTAX])));
    expect(file.meta.map((element) => element.tag)).not.toContain(TRANSFER_SYNTAX);
    expect(file.transferSyntax.uid).toBe(uid);
    expect(file.warnings).toContain(`File Meta Information has no Transfer Syntax UID (0002,0010): read as ${file.transferSyntax.name}, as its first data element is encoded`);
    expect(file.dataSet.map((element) => [element.tag, element.vr, element.valueLength])).toEqual(original.dataSet.map((element) => [element.tag, element.vr, element.valueLength]));
  });

  it.each(cases)('anonymized (%s), gets a full meta header with the transfer syntax used', (_, name, uid) => {
    const input = scratch(`no-ts-cli-${name}`, withoutMetaElements(path.join(corpusDir, name), [TRANSFER_SYNTAX]));
    const output = anonymizeWithCli(`no-ts-${name}`, input, 'File Meta Information has no Transfer Syntax UID (0002,0010)');
    expect(dcmdumpErrors(output)).toEqual([]);
    const meta = dcmdumpMeta(output);
    expect([...meta.keys()]).toEqual(REQUIRED);
    expect(meta.get('(0002,0010)')).toBe(uid);
    expect(meta.get('(0002,0002)')).toBe(textAt(readDicomFile(output), [], 0x00080016)[0]);
    expect(meta.get('(0002,0003)')).toBe(textAt(readDicomFile(output), [], 0x00080018)[0]);
    expect(Object.fromEntries([...meta].filter(([tag]) => tag in OUR_META))).toEqual(OUR_META);
    expect(Number(meta.get('(0002,0000)'))).toBe(readDicomFile(output).dataSetStart - 132 - 12);
  });

  it('is read the same way when the element is there but empty', () => {
    const bytes = readFileSync(path.join(corpusDir, 'dcmqats_2_ILE.dcm'));
    const element = readDicomFile(path.join(corpusDir, 'dcmqats_2_ILE.dcm')).meta.find((candidate) => candidate.tag === TRANSFER_SYNTAX);
    if (!element) throw new Error('no transfer syntax');
    bytes.fill(0, element.valueOffset, element.valueOffset + element.valueLength); // NULs are padding: an empty value
    const file = readDicomFile(scratch('empty-ts.dcm', bytes));
    expect(file.transferSyntax.uid).toBe('1.2.840.10008.1.2');
    expect(dcmdumpMeta(anonymizeWithCli('empty-ts', file.path)).get('(0002,0010)')).toBe('1.2.840.10008.1.2');
  });

  it('is refused, naming (0002,0010), when the data set does not start like an uncompressed one', () => {
    const bytes = withoutMetaElements(path.join(corpusDir, 'dcmqats_1_ELE.dcm'), [TRANSFER_SYNTAX]);
    const start = readDicomFile(scratch('probe.dcm', bytes)).dataSetStart;
    bytes.writeUInt16LE(0x4321, start); // a group no data set starts with
    const file = scratch('no-ts-garbage.dcm', bytes);
    expect(() => readDicomFile(file)).toThrow(MalformedDicomError);
    expect(() => readDicomFile(file)).toThrow(`${file}: Malformed DICOM: File Meta Information has no Transfer Syntax UID (0002,0010), and the data set does not start like an uncompressed one (at (0002,0010), byte offset ${start})`);
  });
});

describe('required meta elements missing from the source', () => {
  it('are added: group length, version and implementation (dcmjs_no-meta-length-test.dcm lacks them)', () => {
    const input = path.join(corpusDir, 'dcmjs_no-meta-length-test.dcm');
    expect(readDicomFile(input).meta.map((element) => element.tag)).toEqual([0x00020002, 0x00020003, 0x00020010, 0x00020012]);
    const output = anonymizeWithCli('no-meta-length', input);
    expect(dcmdumpErrors(output)).toEqual([]);
    expect([...dcmdumpMeta(output).keys()]).toEqual(REQUIRED);
  });

  it('are added from the data set: Media Storage SOP Class and Instance UIDs', () => {
    const input = scratch('no-media-storage.dcm', withoutMetaElements(path.join(corpusDir, 'dcmqats_1_ELE.dcm'), [0x00020002, 0x00020003, 0x00020013]));
    const output = anonymizeWithCli('no-media-storage', input);
    const meta = dcmdumpMeta(output);
    expect([...meta.keys()]).toEqual(REQUIRED);
    const data = readDicomFile(output);
    expect(meta.get('(0002,0002)')).toBe(textAt(data, [], 0x00080016)[0]);
    expect(meta.get('(0002,0003)')).toBe(textAt(data, [], 0x00080018)[0]);
  });

  it('a meta header without preamble gains the preamble and "DICM"', () => {
    const bytes = readFileSync(path.join(corpusDir, 'fodicom_GH220.dcm')).subarray(132);
    const output = anonymizeWithCli('no-preamble', scratch('no-preamble.dcm', bytes));
    expect(readFileSync(output).toString('latin1', 128, 132)).toBe('DICM');
    expect(readDicomFile(output).layout).toBe('part10');
    expect(dcmdumpErrors(output)).toEqual([]);
  });
});

describe('Media Storage SOP Instance UID (0002,0003) of a data set without SOP Instance UID', () => {
  const SOURCE = path.join(corpusDir, 'dcmqats_1_ELE.dcm');
  const originalUid = () => dcmdumpMeta(SOURCE).get('(0002,0003)') ?? '';
  let input = '';
  let output = '';
  beforeAll(async () => {
    input = path.join(root, 'in-no-sop', 'no-sop-instance.dcm');
    mkdirSync(path.dirname(input), { recursive: true });
    await writeDicomFile(readDicomFile(SOURCE), new Map([[SOP_INSTANCE_UID, { op: 'remove' }]]), input);
    expect(textAt(readDicomFile(input), [], SOP_INSTANCE_UID)).toEqual([]);
    expect(dcmdumpMeta(input).get('(0002,0003)')).toBe(originalUid());
    output = anonymizeWithCli('no-sop-instance', input);
  });

  it('is keyed like the data set\'s UIDs, never kept', () => {
    const uid = dcmdumpMeta(output).get('(0002,0003)');
    expect(uid).toMatch(/^2\.25\.\d+$/);
    expect(uid).not.toBe(originalUid());
    expect(dcmdumpErrors(output)).toEqual([]);
  });

  it('kept as it was is reported by verify, and found by its leak gate', async () => {
    const leaky = path.join(root, 'leaky-meta', 'leaky.dcm');
    mkdirSync(path.dirname(leaky), { recursive: true });
    await writeDicomFile(readDicomFile(output), new Map(), leaky, { metaEdits: new Map([[0x00020003, { op: 'set', vr: 'UI', value: originalUid() }]]) });
    expect(dcmdumpMeta(leaky).get('(0002,0003)')).toBe(originalUid());
    const result = runCli(['verify', path.dirname(leaky), '--against', path.dirname(input), '--json'], { env });
    expect(result.status).toBe(1);
    const findings = (JSON.parse(result.stdout) as { findings: { kind: string; tag?: string }[] }).findings;
    expect(findings.map((finding) => [finding.kind, finding.tag])).toEqual([['uid-not-regenerated', '(0002,0003)'], ['leak', '(0002,0003)']]);
    expect(result.stdout).not.toContain(originalUid());
    expect(runCli(['verify', path.dirname(output), '--against', path.dirname(input)], { env }).status).toBe(0);
  });

  it('verify reports a meta element the options remove: Source Application Entity Title (0002,0016)', async () => {
    const titled = path.join(root, 'titled-meta', 'titled.dcm');
    mkdirSync(path.dirname(titled), { recursive: true });
    await writeDicomFile(readDicomFile(output), new Map(), titled, { metaEdits: new Map([[0x00020016, { op: 'set', vr: 'AE', value: 'CT_SCANNER_7' }]]) });
    expect(dcmdumpMeta(titled).get('(0002,0016)')).toBe('CT_SCANNER_7');
    const result = runCli(['verify', titled, '--json'], { env });
    expect(result.status).toBe(1);
    const findings = (JSON.parse(result.stdout) as { findings: { kind: string; tag?: string }[] }).findings;
    expect(findings.map((finding) => [finding.kind, finding.tag])).toEqual([['not-removed', '(0002,0016)']]);
  });
});

describe('Implementation Class UID (0002,0012) and Version Name (0002,0013)', () => {
  it('the version name is DICOMTOOLS_ and package.json\'s version, a valid SH', () => {
    const manifest = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
    // Fails when the version outgrows an SH's 16 characters: then choose a shorter name on purpose.
    expect(IMPLEMENTATION_VERSION_NAME).toBe(`DICOMTOOLS_${manifest.version}`);
    expect(IMPLEMENTATION_VERSION_NAME.length).toBeLessThanOrEqual(16);
    expect(IMPLEMENTATION_VERSION_NAME).toMatch(/^[\x20-\x5b\x5d-\x7e]+$/);
    expect(runCli(['--version']).stdout).toBe(`dicom-tools ${manifest.version}\n`);
  });

  // Sources written by DCMTK, GDCM, dcm4che, fo-dicom, Philips, Siemens, highdicom and dcmjs; one
  // without (0002,0013), and a bare data set that gets a meta header.
  const sources = [
    'dcmqats_1_ELE.dcm',
    'dcmqats_4_RLE.dcm',
    'dcmqadeident_00001.dcm',
    'fodicom_JPEGwithIcon.dcm',
    'dcmqaenh_Philips_IM_0027_fMAP.dcm',
    'dcmqaenh_Siemens_XA10_6_1.dcm',
    'pydicomdata_parametric_map_float.dcm',
    'dcmjs_structured_report.dcm',
    'dicompyler_rtplan.dcm',
    'fodicom_CR-MONO1-10-chest.dcm',
  ];

  it('name us in every output of a batch, per dcmdump', () => {
    const input = path.join(root, 'implementations');
    mkdirSync(input, { recursive: true });
    for (const name of sources) writeFileSync(path.join(input, name), readFileSync(path.join(corpusDir, name)));
    const out = path.join(root, 'out-implementations');
    // fodicom_JPEGwithIcon is a secondary capture, so may carry burned-in text: accepted, as this test is about the meta header.
    const result = runCli(['anonymize', input, '--out', out, '--burned-in', 'accept'], { env });
    expect(result.stderr).toContain(`Anonymized ${sources.length} files`);
    const outputs = readdirSync(out);
    expect(outputs).toHaveLength(sources.length);
    for (const output of outputs) {
      const meta = dcmdumpMeta(path.join(out, output));
      expect([meta.get('(0002,0012)'), meta.get('(0002,0013)')]).toEqual([IMPLEMENTATION_CLASS_UID, IMPLEMENTATION_VERSION_NAME]);
      expect([...meta.keys()]).toEqual(expect.arrayContaining(REQUIRED));
    }
  });

  it('name us in the daemon\'s outputs (writeDeidentifiedTemporary, which it writes with)', async () => {
    const keys = new Pseudonymizer(Buffer.from('the file meta tests daemon secret', 'utf8'));
    const out = path.join(root, 'out-daemon');
    mkdirSync(out, { recursive: true });
    for (const name of ['dcmqats_2_ILE.dcm', 'fodicom_GH223.dcm', 'fodicom_CR-MONO1-10-chest.dcm']) {
      const file = readDicomFile(path.join(corpusDir, name));
      const { pending } = writeDeidentifiedTemporary(file, planDeidentification(file, DEFAULT_OPTIONS, keys), path.join(out, `${name}.out`));
      await commitOutputs([pending]);
      const meta = dcmdumpMeta(pending.target);
      expect([meta.get('(0002,0012)'), meta.get('(0002,0013)')]).toEqual([IMPLEMENTATION_CLASS_UID, IMPLEMENTATION_VERSION_NAME]);
    }
  });
});
