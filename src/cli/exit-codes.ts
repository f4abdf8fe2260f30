/** Process exit codes: part of the CLI's contract, so scripts can tell a bad setting from a failure at run time. */
export const ExitCode = {
  OK: 0,
  /** Something failed while running: a server could not start, a dependency went away. */
  FAILURE: 1,
  /** The command line or the configuration is wrong; nothing was started. */
  USAGE: 2,
  /** A dry run (`setup --dry-run`) found changes to make; nothing was changed. */
  CHANGES_PENDING: 3,
} as const;
