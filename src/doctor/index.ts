export { runDoctor, type DoctorOptions, type Finding, type FindingLevel } from './run-doctor.js';
