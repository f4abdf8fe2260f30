/**
 * Virtual time for tests of concurrent code that sleeps: `sleep` parks the caller on a timer, and `run` advances the
 * clock to the next timer only once every other task has gone quiet (no pending microtask or immediate). Many
 * tasks may sleep at once and wake in time order, so a pipeline with several batches in flight runs as it would in
 * real time, minutes of it in milliseconds, exactly the same way each time. Everything `run` drives must be in
 * memory (no sockets, no thread pool): the clock would move while real I/O is still under way.
 *
 * @example
 *   const time = virtualTime();
 *   const pacer = createPacer({ ratePerSecond: 20, now: time.now, sleep: time.sleep });
 *   await time.run(pacer.acquire(100));
 */
export interface VirtualTime {
  now: () => number;
  sleep: (ms: number) => Promise<void>;
  /** Drives the timers until `work` settles; its result or error. */
  run<T>(work: Promise<T>): Promise<T>;
  /** Milliseconds since the start. */
  elapsed: () => number;
}

export function virtualTime(start = 1_700_000_000_000): VirtualTime {
  let time = start;
  let order = 0;
  const timers: Array<{ at: number; order: number; wake: () => void }> = [];
  const quiet = () => new Promise<void>((resolve) => setImmediate(resolve));
  return {
    now: () => time,
    elapsed: () => time - start,
    sleep: (ms) => new Promise<void>((wake) => void timers.push({ at: time + Math.max(0, ms), order: order++, wake })),
    async run(work) {
      let settled = false;
      const watched = work.finally(() => void (settled = true));
      watched.catch(() => undefined);
      for (;;) {
        await quiet();
        if (settled) return watched;
        if (timers.length === 0) throw new Error('virtual time: the work waits for something that is not a timer');
        let next = 0;
        for (let i = 1; i < timers.length; i++) if (timers[i]!.at < timers[next]!.at || (timers[i]!.at === timers[next]!.at && timers[i]!.order < timers[next]!.order)) next = i;
        const [timer] = timers.splice(next, 1);
        time = Math.max(time, timer!.at);
        timer!.wake();
      }
    },
  };
}

/** A seeded random number generator (mulberry32), so a simulated run's faults are the same every time. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
