// A small export of three real files in two folders, whose two shards (--shard 1/2, 2/2) each hold
// files; a patient's name in one file name.
import { copyFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { corpusDir } from './corpus.js';

export function copySmallExport(input: string): void {
  mkdirSync(path.join(input, 'nested'), { recursive: true });
  copyFileSync(path.join(corpusDir, 'dcmqats_1_ELE.dcm'), path.join(input, 'DOE^JANE_IM1.dcm'));
  copyFileSync(path.join(corpusDir, 'dcmqats_2_ILE.dcm'), path.join(input, 'nested', 'IM2'));
  copyFileSync(path.join(corpusDir, 'dicomparser_report_dfl.dcm'), path.join(input, 'nested', 'report.dicom'));
}
