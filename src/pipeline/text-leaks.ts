import { byteOrderOf } from '../dicom/byte-order.js';
import { decodeValue } from '../dicom/decode-value.js';
import { keywordOf } from '../dicom/dictionary.js';
import { declaredCharacterSet, valueBytes, valueVrOf } from '../dicom/element-access.js';
import type { DicomElement, Encoding } from '../dicom/model.js';
import { readDicomFile, type DicomFile } from '../dicom/read-file.js';
import { formatTag, isGroupLengthTag } from '../dicom/tag.js';
import { collectNeedles } from '../deid/clean-needles.js';
import { SAFETY_NET_VRS } from '../deid/clean-text.js';
import type { DeidOptions } from '../deid/options.js';
import { creatorReader, siteRulesAt } from '../deid/site-rules.js';
import type { Finding } from './verify.js';

/** Text an output may hold a name, an ID or a date inside: what the safety net searched, and names. */
const SEARCHED_VRS: ReadonlySet<string> = new Set([...SAFETY_NET_VRS, 'PN']);

/**
 * The leak gate's look inside text (issue 22): every text value of `output`, at any depth, searched
 * for the identifying values of its `original` with the safety net's own matcher — name components,
 * IDs, issuers, accession numbers, dates in their notations, institution and staff names, with the
 * net's minimum lengths and generic words — so `Befund Zimmerbrink` in a title is a finding although
 * no whole value survived. Values a site `keep` rule keeps are not searched: that rule is the one
 * way to keep a value as it is. One finding per element; the value is never printed.
 */
export function textLeaks(output: string, original: string, options: DeidOptions): Finding[] {
  const matcher = collectNeedles(readDicomFile(original), options);
  if (!matcher) return [];
  const file = readDicomFile(output);
  const findings: Finding[] = [];
  const visit = (elements: readonly DicomElement[], encoding: Encoding, inherited: readonly string[]) => {
    const characterSet = declaredCharacterSet(elements, inherited, (element) => valueBytes(file, element));
    const site = options.siteRules && siteRulesAt(options.siteRules, elements, creatorReader(file));
    for (const element of elements) {
      if (element.stray || isGroupLengthTag(element.tag)) continue;
      element.items?.forEach((item) => visit(item.elements, element.itemEncoding ?? encoding, characterSet));
      const vr = valueVrOf(element);
      if (element.items || !SEARCHED_VRS.has(vr) || site?.ruleOf(element)?.action === 'keep') continue;
      if (holdsNeedle(file, element, vr, encoding, characterSet, matcher)) {
        const tag = formatTag(element.tag);
        findings.push({ file: output, kind: 'leak', tag, detail: `${tag} ${keywordOf(element.tag)} holds an identifying value of its original ${original} (a name, ID or date) inside its text` });
      }
    }
  };
  visit(file.dataSet, file.encoding, []);
  return findings;
}

function holdsNeedle(file: DicomFile, element: DicomElement, vr: DicomElement['vr'], encoding: Encoding, characterSet: readonly string[], matcher: RegExp): boolean {
  const bytes = valueBytes(file, element);
  if (!bytes) return false;
  const decoded = decodeValue(vr, bytes, byteOrderOf(encoding.littleEndian), characterSet);
  if (decoded.kind !== 'text') return false;
  return decoded.values.some((value) => {
    matcher.lastIndex = 0;
    return matcher.test(value);
  });
}
