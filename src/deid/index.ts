export { DEFAULT_OPTIONS, appliedStandardOptions, dateModeOf, describeOptions, retainsUids, type DateMode, type DeidOptions } from './options.js';
export { STANDARD_OPTIONS, STANDARD_OPTION_NAMES, PROFILES, isStandardOption, isProfileName, type StandardOption, type ProfileName } from './standard-options.js';
export { PROFILE, PROFILE_EDITION, profileEntryFor, profileEntryByKeyword, isActionCode, ACTION_CODES, type ActionCode, type ProfileEntry } from './profile.js';
export { dataGroupOf, keywordsOf, GROUP_RULES, type DataGroup } from './option-groups.js';
export { resolveAction, type ElementAction } from './resolve-action.js';
export { Pseudonymizer, type PatientKey } from './pseudonyms.js';
export { planDeidentification, patientKeyOf, type DeidPlan } from './plan-deid.js';
export { methodCodes, methodText, conformanceMarkers } from './markers.js';
export { shiftDa, shiftDt } from './date-shift.js';
