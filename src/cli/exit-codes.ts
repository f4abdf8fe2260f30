/** Process exit codes: part of the CLI's contract, so scripts can tell a bad setting from a failure at run time. */
export const ExitCode = {
  OK: 0,
  /**
   * Something failed while running: a server could not start (its port is in use: "port 7071 is in use; choose
   * another with PORT"), a dependency went away. The command line was right; the same command may work later.
   */
  FAILURE: 1,
  /** The command line or the configuration is wrong; nothing was started. */
  USAGE: 2,
  /** A dry run (`setup --dry-run`) found changes to make; nothing was changed. */
  CHANGES_PENDING: 3,
  /** Stopped by Ctrl-C (128 + SIGINT, as shells report it); a resumable command picks up where it stopped. */
  INTERRUPTED: 130,
} as const;
