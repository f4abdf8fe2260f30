export type FindingLevel = 'ok' | 'warning' | 'problem';

/** One check's result, in words an administrator can act on. */
export interface Finding {
  check: string;
  level: FindingLevel;
  message: string;
  /** The sign-in log code this problem causes, when it causes one (see `doctor --explain`). */
  entraErrorCode?: number;
}
