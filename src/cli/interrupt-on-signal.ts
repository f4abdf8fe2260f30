/** What a long command says when it is interrupted. */
export interface InterruptHandlers {
  /** The first SIGINT (Ctrl-C) or SIGTERM: `abortSignal` has just aborted; say at once what is still being waited for. */
  onStop(signal: NodeJS.Signals): void;
  /** The second signal, just before the process exits: say what was left undone and how to resume. */
  onExit(signal: NodeJS.Signals): void;
}

export interface Interrupt {
  /** Aborts on the first signal. */
  readonly abortSignal: AbortSignal;
  /** Stops listening (the command is done); signals get Node's default behaviour again. */
  dispose(): void;
}

/** Exit codes after a second signal: 128 + the signal number, as shells report a process a signal ended. */
const EXIT_CODE_AFTER: Readonly<Record<string, number>> = { SIGINT: 130, SIGTERM: 143 };

/**
 * Two-step interruption for a long run (premigrate): the first SIGINT or SIGTERM aborts `abortSignal` and calls
 * `onStop` right away, so the user sees the command heard them while the work in flight finishes; a second one
 * calls `onExit` and exits at once (130 after Ctrl-C, 143 after SIGTERM). Unlike `untilSignal` (serve), the
 * first signal does not end the command: the caller stops its work and returns normally.
 *
 * @example
 *   const interrupt = interruptOnSignal({ onStop: () => say('stopping…'), onExit: () => say('run it again to resume') });
 *   try { await work({ abortSignal: interrupt.abortSignal }); } finally { interrupt.dispose(); }
 */
export function interruptOnSignal(handlers: InterruptHandlers, options: { exit?: (code: number) => void } = {}): Interrupt {
  const exit = options.exit ?? ((code: number) => process.exit(code));
  const controller = new AbortController();
  const onSignal = (signal: NodeJS.Signals) => {
    if (!controller.signal.aborted) {
      controller.abort();
      handlers.onStop(signal);
      return;
    }
    handlers.onExit(signal);
    exit(EXIT_CODE_AFTER[signal] ?? 130);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return {
    abortSignal: controller.signal,
    dispose() {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    },
  };
}
