export { statusFigures, UNAVAILABLE_REASONS, type AnswerDay, type StatusFigures, type StatusFiguresOptions } from './figures.js';
export { csvCell, csvLine, STRAGGLER_CSV_HEADER, stragglerCsvLines, type StragglerExportCount } from './stragglers-csv.js';
