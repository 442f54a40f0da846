import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readDicomFile } from '../src/dicom/read-file.js';
import { burnedInSigns, describeBurnedInSigns, type BurnedInSign } from '../src/pixels/burned-in-risk.js';
import { corpusDir, corpusFiles } from './helpers/corpus.js';
import { dcmdumpElements } from './helpers/dcmdump-elements.js';

// Which images may carry text burned into their pixels (issue 20, section 1), read by our reader
// and checked against DCMTK's reading of the same attributes, and on images DCMTK's dcmodify edits.

const root = mkdtempSync(path.join(tmpdir(), 'dicom-burned-in-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const signsOf = (file: string): readonly BurnedInSign[] => burnedInSigns(readDicomFile(file));

/** The signs as written in the issue, over dcmdump's top-level elements (an independent reading). */
function signsByDcmdump(file: string): BurnedInSign[] {
  const top = dcmdumpElements(file).filter((element) => element.depth === 0);
  const text = (tag: number): string[] => top.filter((element) => element.tag === tag).flatMap((element) => element.value.split('\\').map((value) => value.trim().toUpperCase()));
  if (!top.some((element) => element.tag === 0x7fe00010 || element.tag === 0x7fe00008 || element.tag === 0x7fe00009)) return [];
  const sopClass = top.find((element) => element.tag === 0x00080016)?.value.replace(/^=/, '') ?? '';
  const imageType = text(0x00080008);
  const modality = text(0x00080060);
  const signs: BurnedInSign[] = [];
  if (text(0x00280301).includes('YES')) signs.push('burned-in-annotation');
  if (imageType.some((value) => value.includes('SAVE')) || text(0x0008103e).some((value) => value.includes('SAVE'))) signs.push('screen-save');
  if (imageType.some((value) => value.includes('REPORTDATA') || value.includes('DEMOGRAPHICDATA')) || (imageType.includes('SECONDARY') && modality.includes('OT'))) signs.push('report-data');
  if ([0x00181012, 0x00181016, 0x00181018, 0x00181019].some((tag) => text(tag).some((value) => value !== ''))) signs.push('secondary-capture-device');
  if (/^(SecondaryCapture|MultiframeSingleBitSecondaryCapture|MultiframeGrayscaleByteSecondaryCapture|MultiframeGrayscaleWordSecondaryCapture|MultiframeTrueColorSecondaryCapture)ImageStorage$|^1\.2\.840\.10008\.5\.1\.4\.1\.1\.7(\.[1-4])?$/.test(sopClass)) signs.push('secondary-capture');
  if (/Ultrasound|^1\.2\.840\.10008\.5\.1\.4\.1\.1\.(6|6\.1|3|3\.1|6\.2|6\.3)$/.test(sopClass) || modality.includes('US')) signs.push('ultrasound');
  if (/^Video(Endoscopic|Microscopic|Photographic)ImageStorage$/.test(sopClass)) signs.push('video');
  return signs;
}

/** A copy of a corpus file with dcmodify's edits (`-i "(gggg,eeee)=value"`, `-e (gggg,eeee)`). */
function edited(name: string, source: string, edits: readonly string[]): string {
  const target = path.join(root, name);
  copyFileSync(path.join(corpusDir, source), target);
  execFileSync('dcmodify', ['-q', '-nb', '-nrc', ...edits, target]);
  return target;
}

describe('images at risk of burned-in text', () => {
  it('agrees with DCMTK on every corpus file it reads', () => {
    const compared: string[] = [];
    for (const file of corpusFiles().filter((entry) => entry.dcmdumpOk)) {
      let ours: readonly BurnedInSign[];
      try {
        ours = signsOf(file.path);
      } catch {
        continue; // a file our reader refuses (a DICOMDIR, say) is never planned
      }
      expect(ours, file.name).toEqual(signsByDcmdump(file.path));
      compared.push(file.name);
    }
    expect(compared.length).toBeGreaterThan(40);
  });

  it('finds the real ultrasound and the screen capture of the corpus, and passes a plain CT', () => {
    expect(signsOf(path.join(corpusDir, 'dcm4che_US-PAL-8-10x-echo.dcm'))).toContain('ultrasound');
    expect(signsOf(path.join(corpusDir, 'dicomparser_IM00001.fragmented_no_bot_jpeg_baseline.50.dcm'))).toContain('ultrasound');
    expect(signsOf(path.join(corpusDir, 'fodicom_JPEGwithIcon.dcm'))).toEqual(['secondary-capture-device', 'secondary-capture']);
    // A secondary capture's header without its Pixel Data: a screen save with no pixels to carry text.
    expect(signsOf(path.join(corpusDir, 'fodicom_GH178.dcm'))).toEqual([]);
    expect(signsOf(path.join(corpusDir, 'dcmqats_1_ELE.dcm'))).toEqual([]);
  });

  it('takes each sign alone, on an image that had none', () => {
    const plain = 'dcmqats_1_ELE.dcm';
    expect(signsOf(path.join(corpusDir, plain))).toEqual([]);
    const cases: readonly [string, readonly string[], BurnedInSign][] = [
      ['annotation', ['-i', '(0028,0301)=YES'], 'burned-in-annotation'],
      ['annotation-lower', ['-i', '(0028,0301)=yes'], 'burned-in-annotation'],
      ['image-type-save', ['-i', '(0008,0008)=DERIVED\\SECONDARY\\SCREEN SAVE'], 'screen-save'],
      ['series-save', ['-i', '(0008,103E)=Dose Report SAVE'], 'screen-save'],
      ['reportdata', ['-i', '(0008,0008)=ORIGINAL\\PRIMARY\\REPORTDATA'], 'report-data'],
      ['demographic', ['-i', '(0008,0008)=DERIVED\\PRIMARY\\DEMOGRAPHICDATA'], 'report-data'],
      ['secondary-ot', ['-i', '(0008,0008)=DERIVED\\SECONDARY', '-i', '(0008,0060)=OT'], 'report-data'],
      ['sc-date', ['-i', '(0018,1012)=20240101'], 'secondary-capture-device'],
      ['sc-device', ['-i', '(0018,1016)=WORKSTATION 7'], 'secondary-capture-device'],
      ['sc-maker', ['-i', '(0018,1018)=ACME'], 'secondary-capture-device'],
      ['sc-version', ['-i', '(0018,1019)=1.0'], 'secondary-capture-device'],
      ['sc-class', ['-i', '(0008,0016)=1.2.840.10008.5.1.4.1.1.7.4'], 'secondary-capture'],
      ['us-modality', ['-i', '(0008,0060)=US'], 'ultrasound'],
      ['us-class', ['-i', '(0008,0016)=1.2.840.10008.5.1.4.1.1.3.1'], 'ultrasound'],
      ['video', ['-i', '(0008,0016)=1.2.840.10008.5.1.4.1.1.77.1.1.1'], 'video'],
    ];
    for (const [name, edits, sign] of cases) {
      const file = edited(`${name}.dcm`, plain, edits);
      expect(signsOf(file), name).toEqual([sign]);
      expect(signsOf(file), name).toEqual(signsByDcmdump(file));
    }
  });

  it('passes an image whose Burned In Annotation is NO, an empty device attribute, and a file without pixels', () => {
    expect(signsOf(edited('no.dcm', 'dcmqats_1_ELE.dcm', ['-i', '(0028,0301)=NO']))).toEqual([]);
    expect(signsOf(edited('empty-device.dcm', 'dcmqats_1_ELE.dcm', ['-i', '(0018,1016)=']))).toEqual([]);
    expect(signsOf(edited('secondary-ct.dcm', 'dcmqats_1_ELE.dcm', ['-i', '(0008,0008)=DERIVED\\SECONDARY']))).toEqual([]);
    // A structured report claiming a saved screen has no pixels to carry it.
    expect(signsOf(edited('sr-save.dcm', 'dcmjs_sample-sr.dcm', ['-i', '(0008,103E)=SCREEN SAVE']))).toEqual([]);
    // Burned In Annotation NO does not clear an ultrasound: the kind of image still says text.
    expect(signsOf(edited('us-no.dcm', 'dcmqats_1_ELE.dcm', ['-i', '(0028,0301)=NO', '-i', '(0008,0060)=US']))).toEqual(['ultrasound']);
  });

  it('says why in words', () => {
    expect(describeBurnedInSigns(['ultrasound'])).toBe('may carry burned-in text (ultrasound)');
    expect(describeBurnedInSigns(['screen-save', 'secondary-capture'])).toBe('may carry burned-in text (a saved screen, a secondary capture)');
  });
});
