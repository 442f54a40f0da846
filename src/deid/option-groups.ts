import { tagGroup } from '../dicom/tag.js';
import { RULE_ROWS, type ProfileEntry } from './profile.js';

// Which Table E.1-1 attributes each of the product's data options covers. The standard has
// option columns for institution and device identity and for patient characteristics, but the
// product's groups are broader (the whole patient identity, all staff names, the study's
// identifiers), so they are listed here as data. A test checks every keyword against the table.

export type DataGroup = 'patient' | 'institution' | 'study';

interface GroupRule {
  /** Every attribute of these groups belongs to the data group. */
  readonly tagGroups: readonly number[];
  /** Rows whose option column says K. */
  readonly retainColumns: readonly ('retainInstitution' | 'retainDevice' | 'retainPatientCharacteristics')[];
  readonly keywords: readonly string[];
}

export const GROUP_RULES: Readonly<Record<DataGroup, GroupRule>> = {
  patient: {
    tagGroups: [0x0010, 0x0038],
    retainColumns: ['retainPatientCharacteristics'],
    keywords: [
      'ReferencedPatientSequence', 'AdmittingDiagnosesDescription', 'AdmittingDiagnosesCodeSequence',
      'PatientTransportArrangements', 'ConfidentialityConstraintOnPatientDataDescription', 'PatientInsurancePlanCodeSequence',
      'ReferencedPatientPhotoSequence', 'PreMedication', 'SpecialNeeds', 'MedicalAlerts', 'Allergies',
    ],
  },
  institution: {
    tagGroups: [],
    retainColumns: ['retainInstitution', 'retainDevice'],
    keywords: [
      'StationAETitle', 'ReferringPhysicianName', 'ReferringPhysicianAddress', 'ReferringPhysicianTelephoneNumbers',
      'ReferringPhysicianIdentificationSequence', 'ConsultingPhysicianName', 'ConsultingPhysicianIdentificationSequence',
      'PhysiciansOfRecord', 'PhysiciansOfRecordIdentificationSequence', 'PerformingPhysicianName',
      'PerformingPhysicianIdentificationSequence', 'NameOfPhysiciansReadingStudy', 'PhysiciansReadingStudyIdentificationSequence',
      'OperatorsName', 'OperatorIdentificationSequence', 'RequestingPhysician', 'RequestingService',
      'ScheduledPerformingPhysicianName', 'ScheduledPerformingPhysicianIdentificationSequence', 'ScheduledStudyLocationAETitle',
      'ScheduledStationAETitle', 'PerformedStationAETitle', 'PerformedLocation', 'RequestedProcedureLocation',
      'NamesOfIntendedRecipientsOfResults', 'OrderEnteredBy', 'OrderEntererLocation', 'ScheduledHumanPerformersSequence',
      'HumanPerformerOrganization', 'HumanPerformerName', 'VerifyingOrganization', 'VerifyingObserverName',
      'VerifyingObserverSequence', 'VerifyingObserverIdentificationCodeSequence', 'AuthorObserverSequence',
      'CustodialOrganizationSequence', 'RequestingAE', 'ReviewerName', 'InterpretationRecorder', 'InterpretationTranscriber',
      'InterpretationAuthor', 'PhysicianApprovingInterpretation', 'DistributionName', 'ContentCreatorName', 'ROIInterpreter',
      // Beyond the table (beyond-table.ts): staff names.
      'SecondaryReviewerName', 'EvaluatorName', 'DocumentAuthorTrial',
    ],
  },
  study: {
    tagGroups: [],
    retainColumns: [],
    keywords: [
      'AccessionNumber', 'StudyID', 'StudyDescription', 'SeriesDescription',
      'RequestAttributesSequence', 'RequestedProcedureID', 'RequestedProcedureDescription', 'ScheduledProcedureStepID',
      'ScheduledProcedureStepDescription', 'PerformedProcedureStepID', 'PerformedProcedureStepDescription', 'ProtocolName',
      'ReasonForStudy', 'RequestedContrastAgent', 'StudyComments', 'PlacerOrderNumberImagingServiceRequest',
      'FillerOrderNumberImagingServiceRequest', 'ReferencedStudySequence', 'ReasonForTheRequestedProcedure',
      'RequestedProcedureComments', 'ImagingServiceRequestComments',
      // Beyond the table (beyond-table.ts): order numbers and the report's identifier.
      'PlacerOrderNumberProcedure', 'FillerOrderNumberProcedure', 'PlacerOrderNumberImagingServiceRequestRetired',
      'FillerOrderNumberImagingServiceRequestRetired', 'HL7InstanceIdentifier',
    ],
  },
};

function belongs(entry: ProfileEntry, rule: GroupRule): boolean {
  if (rule.keywords.includes(entry.keyword)) return true;
  if (entry.mask === 0xffffffff && rule.tagGroups.includes(tagGroup(entry.tag))) return true;
  return rule.retainColumns.some((column) => entry.actions[column] === 'K');
}

const GROUP_OF: ReadonlyMap<ProfileEntry, DataGroup> = new Map(
  RULE_ROWS.flatMap((entry) => {
    const group = (Object.keys(GROUP_RULES) as DataGroup[]).find((name) => belongs(entry, GROUP_RULES[name]));
    return group ? [[entry, group] as const] : [];
  }),
);

/** The product data group a Table E.1-1 row belongs to, if any. */
export function dataGroupOf(entry: ProfileEntry): DataGroup | undefined {
  return GROUP_OF.get(entry);
}

/** Every Table E.1-1 keyword of a data group, for the README and the TUI. */
export function keywordsOf(group: DataGroup): string[] {
  return RULE_ROWS.filter((entry) => GROUP_OF.get(entry) === group).map((entry) => entry.keyword);
}
