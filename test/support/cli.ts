import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const RUN_CLI = fileURLToPath(new URL('./run-cli.ts', import.meta.url));

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs `entra-migrate <args>` from source in a child process with exactly `env` (plus PATH), feeding `stdin`.
 * Resolves when it exits or after `timeoutInMs` (then it is killed and `code` is null).
 */
export function runCli(args: readonly string[], options: { env?: Record<string, string>; stdin?: string; timeoutInMs?: number } = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', '--', RUN_CLI, ...args], {
      env: { PATH: process.env.PATH ?? '', ...options.env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutInMs ?? 20_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
    child.stdin.end(options.stdin ?? '');
  });
}
