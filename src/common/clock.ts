/** Milliseconds since the Unix epoch. Everything that depends on time takes one of these, so tests can fix it. */
export type Clock = () => number;

export const systemClock: Clock = () => Date.now();

/** A clock stuck at `instantInMs`, for tests and for replaying a recorded request. */
export function fixedClock(instantInMs: number): Clock {
  return () => instantInMs;
}
