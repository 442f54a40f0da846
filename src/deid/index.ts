export { DEFAULT_OPTIONS, describeOptions, type DateMode, type DeidOptions } from './options.js';
export { PROFILE, PROFILE_EDITION, profileEntryFor, profileEntryByKeyword, isActionCode, ACTION_CODES, type ActionCode, type ProfileEntry } from './profile.js';
export { dataGroupOf, keywordsOf, GROUP_RULES, type DataGroup } from './option-groups.js';
export { resolveAction, type ElementAction } from './resolve-action.js';
export { Pseudonymizer, type PatientKey } from './pseudonyms.js';
export { planDeidentification, patientKeyOf, type DeidPlan } from './plan-deid.js';
export { methodCodes, methodText, conformanceMarkers } from './markers.js';
export { shiftDa, shiftDt } from './date-shift.js';
export { patientPseudonym, optionsWithSubjectIds, UnlistedPatientError, UNLISTED_PATIENTS, type SubjectIds, type SubjectIdEntry, type UnlistedPatients } from './subject-ids.js';
