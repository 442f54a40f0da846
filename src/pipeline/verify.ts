import path from 'node:path';
import { byteOrderOf } from '../dicom/byte-order.js';
import { decodeValue } from '../dicom/decode-value.js';
import { keywordOf } from '../dicom/dictionary.js';
import { declaredCharacterSet, textAt, valueBytes, valueVrOf } from '../dicom/element-access.js';
import { DicomError } from '../dicom/errors.js';
import type { DicomElement, Encoding } from '../dicom/model.js';
import { readDicomFile, type DicomFile } from '../dicom/read-file.js';
import { formatTag, isGroupLengthTag, isPixelDataTag, isPrivateTag, PIXEL_DATA, type Tag } from '../dicom/tag.js';
import { STRING_VRS } from '../dicom/vr.js';
import { dummyValue } from '../deid/dummy-values.js';
import { findWhole, needleEncodings, provesNothing, textHolds, type Needle } from '../deid/leak-match.js';
import { keptMetaUid, metaInstanceUids } from '../deid/meta-uids.js';
import { DEIDENTIFICATION_METHOD, DEIDENTIFICATION_METHOD_CODES, LONGITUDINAL_TEMPORAL_INFORMATION_MODIFIED, PATIENT_IDENTITY_REMOVED } from '../deid/markers.js';
import { retainsUids, type DeidOptions } from '../deid/options.js';
import { claimedCodes } from '../deid/options-from-markers.js';
import { STANDARD_OPTIONS } from '../deid/standard-options.js';
import { burnedInSigns, describeBurnedInSigns } from '../pixels/burned-in-risk.js';
import { metaRemovals, PATIENT_ID, PATIENT_NAME } from '../deid/plan-deid.js';
import { isDisallowedGroupTag, ruleFor, STANDARD_UID_ROOT, type ElementRule, type Scope } from '../deid/nested-rules.js';
import { retainsSafePrivate, safePrivateRules } from '../deid/safe-private.js';
import { siteRuleFinding } from '../deid/site-rule-check.js';
import { keptItemsScope } from '../deid/site-rule-scope.js';
import { creatorReader, siteRulesAt } from '../deid/site-rules.js';

export type FindingKind =
  | 'unreadable'
  | 'private'
  | 'not-removed'
  | 'not-emptied'
  | 'not-replaced'
  | 'uid-not-regenerated'
  | 'age-over-89'
  | 'missing-marker'
  | 'leak'
  | 'cannot-check'
  | 'pixels-not-cleaned';

/** Something wrong with an output. `detail` names tags, keywords, files and offsets, never a value. */
export interface Finding {
  readonly file: string;
  readonly kind: FindingKind;
  readonly tag?: string;
  readonly detail: string;
}

const PSEUDONYM = /^ANON-[A-Z2-7]{10}$/;
const KEYED_UID = /^2\.25\.\d+$/;

interface Level {
  readonly encoding: Encoding;
  readonly characterSet: readonly string[];
  readonly trail: string;
  readonly scope: Scope;
}

/**
 * Checks one anonymized file against the profile and options: no private element (unless kept), no
 * attribute that should be removed, emptied or replaced still holding its value, UIDs keyed, and the
 * PS3.15 markers present. Patient ID and Name hold a keyed pseudonym, or one of `subjectIds` (the
 * pre-assigned subject IDs of a list, when the files were anonymized with one).
 */
export function verifyOutput(filePath: string, options: DeidOptions, subjectIds: ReadonlySet<string> = new Set()): Finding[] {
  let file: DicomFile;
  try {
    file = readDicomFile(filePath);
  } catch (error) {
    return [{ file: filePath, kind: 'unreadable', detail: error instanceof DicomError ? error.message : String(error) }];
  }
  const output: CheckedOutput = { file, path: filePath, options, subjectIds, safePrivateOn: retainsSafePrivate(options), findings: [] };
  checkElements(output, file.dataSet, { encoding: file.encoding, characterSet: [], trail: '', scope: 'profile' });
  return [...output.findings, ...metaFindings(file, filePath, options), ...markerFindings(file, filePath, options), ...pixelFindings(file, filePath)];
}

/**
 * An image that may carry burned-in text and does not claim Clean Pixel Data (113101): whatever
 * options it was made with, its pixels may still show a name (passed with --burned-in accept).
 */
function pixelFindings(file: DicomFile, filePath: string): Finding[] {
  const signs = burnedInSigns(file);
  if (signs.length === 0 || claimedCodes(file).includes(STANDARD_OPTIONS['clean-pixel-data'].code)) return [];
  const detail = `${describeBurnedInSigns(signs)} and its pixels were not cleaned (no 113101); look at it before it is shared, or anonymize its original with --option clean-pixel-data`;
  return [{ file: filePath, kind: 'pixels-not-cleaned', tag: formatTag(PIXEL_DATA), detail }];
}

/** One output under check, and the findings so far (in the order of its elements). */
interface CheckedOutput {
  readonly file: DicomFile;
  readonly path: string;
  readonly options: DeidOptions;
  readonly subjectIds: ReadonlySet<string>;
  readonly safePrivateOn: boolean;
  readonly findings: Finding[];
}

/** Checks the elements of one data set (the file's, or an item's) and of the items below them. */
function checkElements(output: CheckedOutput, elements: readonly DicomElement[], level: Level): void {
  const { file, options } = output;
  const characterSet = declaredCharacterSet(elements, level.characterSet, (element) => valueBytes(file, element));
  // The planner's own decision: a listed element kept, its creator only with it.
  const safePrivate = output.safePrivateOn ? safePrivateRules(elements, (element) => valueBytes(file, element), level.scope, options) : undefined;
  const site = options.siteRules && siteRulesAt(options.siteRules, elements, creatorReader(file));
  for (const element of elements) {
    if (element.stray) continue;
    const where = `${level.trail}${formatTag(element.tag)} ${keywordOf(element.tag)}`;
    const add = (kind: FindingKind, detail: string) => output.findings.push({ file: output.path, kind, tag: formatTag(element.tag), detail: `${where}: ${detail}` });
    const vr = valueVrOf(element);
    const safe = safePrivate?.get(element.tag);
    const rule = safe ?? ruleFor(element.tag, vr, element.items !== undefined, level.scope, options);
    if (isGroupLengthTag(element.tag)) {
      if (rule.action === 'remove') add('private', 'group length of a private group present');
      continue;
    }
    const itemLevel = (index: number, scope: Scope): Level => ({ encoding: element.itemEncoding ?? level.encoding, characterSet, trail: `${where} item ${index + 1} > `, scope });
    // A site rule decides for its attribute whatever the profile and options say.
    const siteRule = site?.ruleOf(element);
    if (siteRule) {
      const finding = siteRuleFinding(siteRule, element, () => texts(file, element, { ...level, characterSet }));
      if (finding) add(finding.kind, finding.detail);
      element.items?.forEach((item, index) => checkElements(output, item.elements, itemLevel(index, keptItemsScope(rule))));
      continue;
    }
    if ((isPrivateTag(element.tag) || isDisallowedGroupTag(element.tag)) && options.removePrivate && !safe) {
      add('private', isPrivateTag(element.tag) ? 'private element present' : 'element of a group PS3.5 7.8.1 does not allow present');
      continue;
    }
    const finding = profileFinding(output, element, rule, () => texts(file, element, { ...level, characterSet }));
    if (finding) add(finding.kind, finding.detail);
    element.items?.forEach((item, index) => checkElements(output, item.elements, itemLevel(index, rule.items)));
  }
}

/** What is wrong with an element that the profile and options (no site rule) treat by `rule`; undefined when nothing. */
function profileFinding(output: CheckedOutput, element: DicomElement, rule: ElementRule, values: () => string[]): { readonly kind: FindingKind; readonly detail: string } | undefined {
  const { options, subjectIds } = output;
  const vr = valueVrOf(element);
  if ((element.tag === PATIENT_ID || element.tag === PATIENT_NAME) && options.patient) {
    if (!values().every((value) => PSEUDONYM.test(value) || subjectIds.has(value))) return { kind: 'not-replaced', detail: 'holds something other than the pseudonym' };
  } else if (rule.action === 'remove') {
    return { kind: 'not-removed', detail: 'should have been removed' };
  } else if (rule.action === 'empty' && (element.valueLength > 0 && (element.items?.length ?? 1) > 0)) {
    return { kind: 'not-emptied', detail: 'should be empty' };
  } else if ((rule.action === 'uid' || rule.action === 'dummy') && vr === 'UI' && !retainsUids(options)) {
    const keyed = (value: string) => value === '' || KEYED_UID.test(value) || (rule.keepsStandardUids && value.startsWith(STANDARD_UID_ROOT));
    if (!values().every(keyed)) return { kind: 'uid-not-regenerated', detail: 'UID not replaced by a keyed UID' };
  } else if (rule.action === 'keep' && vr === 'AS') {
    if (values().some((value) => /^\d{3}Y$/.test(value) && Number.parseInt(value, 10) > 90)) return { kind: 'age-over-89', detail: 'an age over 90 years kept (HIPAA Safe Harbor: ages over 89 are 090Y)' };
  } else if (rule.action === 'dummy' && !element.items && STRING_VRS.has(vr)) {
    const dummy = dummyValue(vr, 0);
    if (!values().every((value) => value === dummy)) return { kind: 'not-replaced', detail: 'should hold a dummy value' };
  }
  return undefined;
}

/** File Meta Information the options remove, and its instance UIDs when UIDs are keyed. */
function metaFindings(file: DicomFile, filePath: string, options: DeidOptions): Finding[] {
  const findings: Finding[] = [];
  const removed = new Set(metaRemovals(options));
  for (const element of file.meta.filter((candidate) => removed.has(candidate.tag))) {
    findings.push({ file: filePath, kind: 'not-removed', tag: formatTag(element.tag), detail: `File Meta Information ${formatTag(element.tag)} ${keywordOf(element.tag)}: should have been removed` });
  }
  if (!retainsUids(options)) {
    for (const { element, values } of metaInstanceUids(file)) {
      if (values.every((value) => keptMetaUid(value) || KEYED_UID.test(value))) continue;
      findings.push({ file: filePath, kind: 'uid-not-regenerated', tag: formatTag(element.tag), detail: `File Meta Information ${formatTag(element.tag)} ${keywordOf(element.tag)}: UID not replaced by a keyed UID` });
    }
  }
  return findings;
}

/** The PS3.15 de-identification markers: Patient Identity Removed (with patient data cleaned), the method, its code 113100, the dates flag. */
function markerFindings(file: DicomFile, filePath: string, options: DeidOptions): Finding[] {
  const findings: Finding[] = [];
  const marker = (tag: Tag, ok: boolean, detail: string) => {
    if (!ok) findings.push({ file: filePath, kind: 'missing-marker', tag: formatTag(tag), detail: `${formatTag(tag)} ${keywordOf(tag)}: ${detail}` });
  };
  if (options.patient) marker(PATIENT_IDENTITY_REMOVED, textAt(file, [], PATIENT_IDENTITY_REMOVED)[0] === 'YES', 'should be YES');
  marker(DEIDENTIFICATION_METHOD, textAt(file, [], DEIDENTIFICATION_METHOD).length > 0, 'missing');
  marker(DEIDENTIFICATION_METHOD_CODES, claimedCodes(file).includes('113100'), 'missing code 113100');
  marker(LONGITUDINAL_TEMPORAL_INFORMATION_MODIFIED, textAt(file, [], LONGITUDINAL_TEMPORAL_INFORMATION_MODIFIED).length > 0, 'missing');
  return findings;
}

/** An identifying value of an original, by where it came from; the value itself is never printed. */
export interface IdentifyingValue extends Needle {
  readonly tag: Tag;
  readonly source: string;
}

/**
 * The values a de-identified copy of `original` must not contain: every text value of an element
 * the options remove or replace, read with the planner's own rules (so the text inside sequences the
 * profile dummies counts; private elements when they are removed), names also by component, minus
 * any string that the original also holds in an element that is kept, and values that prove
 * nothing (leak-match.ts). The meta header's instance UIDs count when UIDs are keyed.
 */
export function identifyingValues(originalPath: string, options: DeidOptions): IdentifyingValue[] {
  const file = readDicomFile(originalPath);
  const found = new Map<string, IdentifyingValue>();
  const kept = new Set<string>();
  const safePrivateOn = retainsSafePrivate(options);
  const visit = (elements: readonly DicomElement[], level: Level) => {
    const characterSet = declaredCharacterSet(elements, level.characterSet, (element) => valueBytes(file, element));
    const safePrivate = safePrivateOn ? safePrivateRules(elements, (element) => valueBytes(file, element), level.scope, options) : undefined;
    const site = options.siteRules && siteRulesAt(options.siteRules, elements, creatorReader(file));
    for (const element of elements) {
      if (element.stray || isGroupLengthTag(element.tag)) continue;
      const vr = valueVrOf(element);
      const rule = safePrivate?.get(element.tag) ?? ruleFor(element.tag, vr, element.items !== undefined, level.scope, options);
      const action = site?.ruleOf(element)?.action ?? rule.action;
      // Shifting moves dates only: a time of day or time zone under a shift rule stays as it was.
      const unchanged = action === 'keep' || (action === 'shift' && vr !== 'DA' && vr !== 'DT');
      const identifying = !unchanged || ((element.tag === PATIENT_ID || element.tag === PATIENT_NAME) && options.patient);
      // Bytes of a private, disallowed or unknown element may be text: searched as text when they go.
      const textLike = STRING_VRS.has(vr) || isPrivateTag(element.tag) || isDisallowedGroupTag(element.tag) || vr === 'UN' || vr === 'OB';
      // Cleaned text is kept minus the identifying values: neither a value that must go nor one that may stay.
      if (!element.items && textLike && rule.action !== 'clean') {
        for (const value of texts(file, element, { ...level, characterSet }, true)) {
          const candidates = vr === 'PN' ? [value, ...value.split(/[=^]/)] : [value];
          for (const candidate of candidates.map((text) => text.trim())) {
            const standardUid = vr === 'UI' && rule.keepsStandardUids && candidate.startsWith(STANDARD_UID_ROOT);
            if (identifying && !standardUid && !provesNothing(candidate)) {
              if (!found.has(candidate)) found.set(candidate, { value: candidate, uid: vr === 'UI', tag: element.tag, source: originalPath });
            } else if (!identifying || standardUid) {
              kept.add(candidate);
            }
          }
        }
      }
      const scope = action === 'keep' && action !== rule.action ? keptItemsScope(rule) : rule.items;
      element.items?.forEach((item) => visit(item.elements, { encoding: element.itemEncoding ?? level.encoding, characterSet, trail: '', scope }));
    }
  };
  visit(file.dataSet, { encoding: file.encoding, characterSet: [], trail: '', scope: 'profile' });
  if (!retainsUids(options)) {
    for (const { element, values } of metaInstanceUids(file)) {
      for (const value of values) {
        if (!keptMetaUid(value) && !found.has(value)) found.set(value, { value, uid: true, tag: element.tag, source: originalPath });
      }
    }
  }
  return [...found.values()].filter((entry) => ![...kept].some((value) => value.includes(entry.value)));
}

/**
 * Searches an output's bytes (the inflated data set of a deflated file; everything but the Pixel
 * Data value, which de-identification leaves as it is) and its file name for each value, as whole
 * values or tokens (leak-match.ts).
 */
export function findLeaks(outputPath: string, values: readonly IdentifyingValue[]): Finding[] {
  const file = readDicomFile(outputPath);
  const regions: { bytes: Uint8Array; start: number; label: string }[] = [];
  for (const region of file.fileBytes.regions) regions.push({ bytes: region.bytes, start: region.start, label: 'byte offset' });
  if (file.inflated) regions.push({ bytes: file.inflated, start: 0, label: 'inflated data set offset' });
  const pixel = file.dataSet.find((element) => isPixelDataTag(element.tag));
  const findings: Finding[] = [];
  const name = path.basename(outputPath);
  for (const entry of values) {
    const where = `${formatTag(entry.tag)} ${keywordOf(entry.tag)} of ${entry.source}`;
    if (textHolds(name, entry)) findings.push({ file: outputPath, kind: 'leak', tag: formatTag(entry.tag), detail: `the value of ${where} appears in the file name` });
    for (const pattern of needleEncodings(entry)) {
      for (const region of regions) {
        const haystack = Buffer.from(region.bytes.buffer, region.bytes.byteOffset, region.bytes.byteLength);
        for (let at = findWhole(haystack, pattern, entry.uid); at >= 0; at = findWhole(haystack, pattern, entry.uid, at + 1)) {
          const offset = region.start + at;
          if (!file.inflated && pixel && offset >= pixel.valueOffset && offset < pixel.end) continue;
          findings.push({ file: outputPath, kind: 'leak', tag: formatTag(entry.tag), detail: `the value of ${where} appears at ${region.label} ${offset}` });
          break;
        }
      }
    }
  }
  return findings;
}

function texts(file: DicomFile, element: DicomElement, level: Level, anyBytes = false): string[] {
  const bytes = valueBytes(file, element);
  if (!bytes) return [];
  const vr = valueVrOf(element);
  const decoded = decodeValue(STRING_VRS.has(vr) || !anyBytes ? vr : 'LO', bytes, byteOrderOf(level.encoding.littleEndian), level.characterSet);
  if (decoded.kind === 'text') return [...decoded.values];
  return [];
}
