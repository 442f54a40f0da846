import type { Tag } from '../dicom/tag.js';

/**
 * Standard attributes that identify someone although PS3.15 Table E.1-1 (2024b) does not list them,
 * handled as if it did. Found by reading every PN attribute of the data dictionary, and the text and
 * date attributes of groups 0010 (patient), 0038 (visit) and 0040 (procedure steps, SR) that the table
 * leaves out. Each row has the Basic Profile code the table gives its nearest listed kin; the product
 * groups (option-groups.ts) and the options apply to it as to a table row.
 */
export interface BeyondTableRow {
  readonly tag: Tag;
  readonly keyword: string;
  readonly vr: string;
  readonly basic: 'X' | 'Z' | 'D';
  /** Why it identifies someone: for the README. */
  readonly why: string;
}

export const BEYOND_TABLE_ROWS: readonly BeyondTableRow[] = [
  { tag: 0x00100033, keyword: 'PatientBirthDateInAlternativeCalendar', vr: 'LO', basic: 'X', why: "the patient's birth date, as Patient's Birth Date (Z) is" },
  { tag: 0x00100034, keyword: 'PatientDeathDateInAlternativeCalendar', vr: 'LO', basic: 'X', why: "the patient's date of death: a date about the patient (Safe Harbor)" },
  { tag: 0x00102295, keyword: 'BreedRegistrationNumber', vr: 'LO', basic: 'X', why: 'an animal patient\'s registry number: an identifier, as Other Patient IDs (X) is' },
  { tag: 0x00140104, keyword: 'SecondaryReviewerName', vr: 'PN', basic: 'Z', why: "a person's name, as Content Creator's Name (Z) is" },
  { tag: 0x00142006, keyword: 'EvaluatorName', vr: 'PN', basic: 'Z', why: "a person's name, as Content Creator's Name (Z) is" },
  { tag: 0x0040a067, keyword: 'DocumentAuthorTrial', vr: 'PN', basic: 'Z', why: "a person's name (retired), as Content Creator's Name (Z) is" },
  { tag: 0x00401006, keyword: 'PlacerOrderNumberProcedure', vr: 'SH', basic: 'Z', why: 'an order number (retired), as Placer Order Number / Imaging Service Request (Z) is' },
  { tag: 0x00401007, keyword: 'FillerOrderNumberProcedure', vr: 'SH', basic: 'Z', why: 'an order number (retired), as Filler Order Number / Imaging Service Request (Z) is' },
  { tag: 0x00402006, keyword: 'PlacerOrderNumberImagingServiceRequestRetired', vr: 'SH', basic: 'Z', why: 'an order number (retired), as its successor (Z) is' },
  { tag: 0x00402007, keyword: 'FillerOrderNumberImagingServiceRequestRetired', vr: 'SH', basic: 'Z', why: 'an order number (retired), as its successor (Z) is' },
  { tag: 0x0040e001, keyword: 'HL7InstanceIdentifier', vr: 'ST', basic: 'D', why: 'the identifier of the HL7 document (a report) in the hospital\'s systems' },
];
