// The engine's public surface: daemon/ and tui/ import only this file.
export * from './dicom/index.js';
export * from './deid/index.js';
export { anonymizeFiles, prepareOutDir, type AnonymizeRequest, type AnonymizeSummary, type FileResult, type FileStatus } from './deid/anonymize-files.js';
export { collectInputs, isTemporary, type InputFile } from './deid/collect-inputs.js';
export { verifyOutput, identifyingValues, findLeaks, type Finding, type FindingKind, type IdentifyingValue } from './deid/verify.js';
export { MappingStore, MAPPING_STORE_FILENAME } from './store/mapping-store.js';
export { MappingStoreError } from './store/mapping-store-error.js';
export type { MappingRecord, BatchSource, BatchSummary } from './store/mapping-record.js';
export { writeMappingCsv, MAPPING_CSV_COLUMNS } from './export/mapping-csv.js';
export { writeZip, type ZipEntry } from './export/zip-export.js';
export { ExportError } from './export/export-error.js';
export { loadConfig, type Config, type ConfigDefaults } from './config/config.js';
export { loadSecret } from './config/secret.js';
export { ConfigError } from './config/config-error.js';
export { readDaemonStatus, writeDaemonStatus, isDaemonAlive, isProcessAlive, describeDaemonStatus, DAEMON_STATUS_FILENAME, type DaemonStatus } from './status/daemon-status.js';
export type { JournalEntry, JournalStart, JournalWritten } from './store/mapping-store.js';
export { internalErrorReason } from './deid/internal-error.js';
export { describeFsError, syncDirectory } from './io/durable-files.js';
