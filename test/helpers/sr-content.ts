// Builds SR content items (PS3.3 C.17.3) and presentation-state annotations as new items for
// writeDicomFile, so tests can make structured reports and presentation states of known content.
import type { NewElement, NewItem, PathStep } from '../../src/dicom/edits.js';
import { textAt } from '../../src/dicom/element-access.js';
import type { DicomElement } from '../../src/dicom/model.js';
import type { DicomFile } from '../../src/dicom/read-file.js';

export type Code = readonly [value: string, scheme: string, meaning: string];

export const TAG = {
  RelationshipType: 0x0040a010,
  ValueType: 0x0040a040,
  ConceptNameCodeSequence: 0x0040a043,
  ConceptCodeSequence: 0x0040a168,
  ContentSequence: 0x0040a730,
  ContinuityOfContent: 0x0040a050,
  TextValue: 0x0040a160,
  PersonName: 0x0040a123,
  Date: 0x0040a121,
  Time: 0x0040a122,
  DateTime: 0x0040a120,
  UID: 0x0040a124,
  MeasuredValueSequence: 0x0040a300,
  NumericValue: 0x0040a30a,
  MeasurementUnitsCodeSequence: 0x004008ea,
  CodeValue: 0x00080100,
  CodingSchemeDesignator: 0x00080102,
  CodeMeaning: 0x00080104,
} as const;

export function codeItem([value, scheme, meaning]: Code): NewItem {
  return [
    { tag: TAG.CodeValue, vr: 'SH', value },
    { tag: TAG.CodingSchemeDesignator, vr: 'SH', value: scheme },
    { tag: TAG.CodeMeaning, vr: 'LO', value: meaning },
  ];
}

function item(relationship: string, valueType: string, name: Code, rest: NewElement[]): NewItem {
  return [
    { tag: TAG.RelationshipType, vr: 'CS', value: relationship },
    { tag: TAG.ValueType, vr: 'CS', value: valueType },
    { tag: TAG.ConceptNameCodeSequence, vr: 'SQ', value: { items: [codeItem(name)] } },
    ...rest,
  ];
}

export const content = {
  container: (relationship: string, name: Code, children: NewItem[]): NewItem =>
    item(relationship, 'CONTAINER', name, [
      { tag: TAG.ContinuityOfContent, vr: 'CS', value: 'SEPARATE' },
      { tag: TAG.ContentSequence, vr: 'SQ', value: { items: children } },
    ]),
  text: (relationship: string, name: Code, value: string): NewItem => item(relationship, 'TEXT', name, [{ tag: TAG.TextValue, vr: 'UT', value }]),
  pname: (relationship: string, name: Code, value: string): NewItem => item(relationship, 'PNAME', name, [{ tag: TAG.PersonName, vr: 'PN', value }]),
  date: (relationship: string, name: Code, value: string): NewItem => item(relationship, 'DATE', name, [{ tag: TAG.Date, vr: 'DA', value }]),
  time: (relationship: string, name: Code, value: string): NewItem => item(relationship, 'TIME', name, [{ tag: TAG.Time, vr: 'TM', value }]),
  datetime: (relationship: string, name: Code, value: string): NewItem => item(relationship, 'DATETIME', name, [{ tag: TAG.DateTime, vr: 'DT', value }]),
  uidref: (relationship: string, name: Code, value: string): NewItem => item(relationship, 'UIDREF', name, [{ tag: TAG.UID, vr: 'UI', value }]),
  code: (relationship: string, name: Code, value: Code): NewItem =>
    item(relationship, 'CODE', name, [{ tag: TAG.ConceptCodeSequence, vr: 'SQ', value: { items: [codeItem(value)] } }]),
  num: (relationship: string, name: Code, value: string, units: Code): NewItem =>
    item(relationship, 'NUM', name, [
      {
        tag: TAG.MeasuredValueSequence,
        vr: 'SQ',
        value: { items: [[{ tag: TAG.MeasurementUnitsCodeSequence, vr: 'SQ', value: { items: [codeItem(units)] } }, { tag: TAG.NumericValue, vr: 'DS', value }]] },
      },
    ]),
};

/** Every content item of a tree, depth first, with its path and value type. */
export function contentItems(file: DicomFile, elements: readonly DicomElement[] = file.dataSet, at: PathStep[] = []): { path: PathStep[]; valueType: string }[] {
  const sequence = elements.find((element) => element.tag === TAG.ContentSequence);
  const found: { path: PathStep[]; valueType: string }[] = [];
  sequence?.items?.forEach((item, index) => {
    const itemPath = [...at, { tag: TAG.ContentSequence, item: index }];
    found.push({ path: itemPath, valueType: textAt(file, itemPath, TAG.ValueType)[0] ?? '' });
    found.push(...contentItems(file, item.elements, itemPath));
  });
  return found;
}
