/** The parent's side of bench/scale/driver.ts: forks it once and hands it one run at a time. */
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { DriveRequest, DriveResult } from './driver.js';

const DRIVER = fileURLToPath(new URL('./driver.ts', import.meta.url));

export interface DriverProcess {
  pid: number;
  /** Runs `request`; `onWindowStart` is called when the measured window opens, before any of its callouts. */
  run(request: Omit<DriveRequest, 'kind'>, onWindowStart: () => void): Promise<DriveResult>;
  stop(): Promise<void>;
}

/** Forks the driver (under tsx, as this script runs) and resolves once it is ready for a run. */
export function startDriver(): DriverProcess {
  const child = fork(DRIVER, [], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const killOnExit = () => child.kill('SIGKILL');
  process.on('exit', killOnExit);
  return {
    pid: child.pid!,
    run(request, onWindowStart) {
      return new Promise<DriveResult>((resolve, reject) => {
        const onMessage = (message: { kind: string }) => {
          if (message.kind === 'window-start') return onWindowStart();
          child.off('message', onMessage);
          child.off('exit', onExit);
          resolve(message as DriveResult);
        };
        const onExit = (code: number | null) => reject(new Error(`the load driver exited with ${code} during a run (its error is above)`));
        child.on('message', onMessage);
        child.once('exit', onExit);
        child.send({ kind: 'run', ...request } satisfies DriveRequest);
      });
    },
    async stop() {
      if (child.connected) child.disconnect();
      await exited;
      process.off('exit', killOnExit);
    },
  };
}
