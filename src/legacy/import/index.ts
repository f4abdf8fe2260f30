export { LegacyImportError, LegacyImportErrorCode } from './errors.js';
export { IMPORT_FORMAT_IDS, type ImportFormatId } from './format.js';
export { CSV_COLUMNS } from './csv-columns.js';
export { LEGACY_EXPORT_QUERY, LEGACY_USER_QUERY, legacyEnvLines } from './env-lines.js';
export { LEGACY_USERS_COLUMNS, describePosition, type ImportedUser, type SourcePosition } from './imported-user.js';
export { describeProblem, type RowProblem } from './problems.js';
export { importLegacyExport, type ImportProgress, type ImportSummary, type LegacyImportOptions } from './run-import.js';
