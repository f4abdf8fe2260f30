/**
 * What the scale bench must undo however it ends (success, a failed check, an exception, Ctrl-C or SIGTERM): the
 * nginx it started, the replicas, its database on the shared PostgreSQL, its keys in the shared Redis and its
 * temporary directory. Each step registers its undo as soon as it has done something; they run last first, each
 * once, and one failing does not stop the others (a shared server must not keep our database because a tmp dir
 * could not be removed).
 */
type Undo = () => Promise<unknown> | unknown;

const undos: Array<{ what: string; undo: Undo }> = [];
let running: Promise<void> | undefined;

/** Registers `undo` (described by `what` in a failure line) to run at the end, before those registered earlier. */
export function onCleanup(what: string, undo: Undo): void {
  undos.push({ what, undo });
}

/** Runs every registered undo, last first; a second call waits for the first. Never throws. */
export function cleanUp(): Promise<void> {
  running ??= (async () => {
    while (undos.length > 0) {
      const { what, undo } = undos.pop()!;
      try {
        await undo();
      } catch (error) {
        console.error(`cleanup: could not ${what}: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
  })();
  return running;
}

/**
 * Ctrl-C and SIGTERM clean up before exiting (130 / 143); without this Node would exit at once and leave nginx
 * running and the database on the shared server.
 */
export function cleanUpOnSignals(): void {
  for (const [signal, code] of [['SIGINT', 130], ['SIGTERM', 143]] as const) {
    process.once(signal, () => {
      console.error(`\n${signal}: cleaning up (nginx, replicas, database, Redis keys, tmp dir)…`);
      void cleanUp().finally(() => process.exit(code));
    });
  }
}
