import { DE } from './de.js';
import { EN } from './en.js';
import { ES } from './es.js';
import { FR } from './fr.js';
import type { OtpTemplateSet } from './template-set.js';

/**
 * The shipped templates: English, French, German and Spanish, as TypeScript modules so `tsc` builds them into
 * dist/ (it copies no .json or .html). OTP_TEMPLATES_DIR replaces them as a whole.
 */
export const DEFAULT_OTP_TEMPLATES: OtpTemplateSet = new Map([
  ['en', EN],
  ['fr', FR],
  ['de', DE],
  ['es', ES],
]);
