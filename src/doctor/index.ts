export { runDoctor, type DoctorOptions, type Finding, type FindingLevel } from './run-doctor.js';
export { eventFindings, type EventCheckOptions } from './event-checks.js';
