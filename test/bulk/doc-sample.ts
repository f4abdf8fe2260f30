import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A sample server from a docs page, running. */
export interface RunningSample {
  /** `http://127.0.0.1:{port}`. */
  readonly origin: string;
  /** What the sample printed so far. */
  stdout(): string;
  stop(): void;
}

/**
 * Copies the ```js block of `page` that begins `// {file}` into a temporary directory and runs it with `env` and a
 * free loopback `PORT`, resolving once it answers HTTP: the sample a reader copies is the one that is tested.
 *
 * @example
 *   const sample = await runDocSample('docs/legacy-web-service.md', 'mark-server.mjs', { MARK_TOKEN: token });
 */
export async function runDocSample(page: string, file: string, env: Record<string, string>): Promise<RunningSample> {
  const fence = new RegExp(`\`\`\`js\\n(// ${file.replace(/\./g, '\\.')}\\n[\\s\\S]*?)\`\`\``);
  const source = fence.exec(readFileSync(page, 'utf8'))?.[1];
  assert.ok(source, `${page} holds ${file}`);
  const dir = mkdtempSync(join(tmpdir(), 'doc-sample-'));
  writeFileSync(join(dir, file), source);
  const probe = createServer().listen(0, '127.0.0.1');
  await once(probe, 'listening');
  const { port } = probe.address() as { port: number };
  await new Promise((resolve) => probe.close(resolve));
  const child = spawn(process.execPath, [join(dir, file)], { env: { PATH: process.env.PATH, ...env, PORT: String(port) }, stdio: ['ignore', 'pipe', 'ignore'] });
  let stdout = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  const origin = `http://127.0.0.1:${port}`;
  const sample = { origin, stdout: () => stdout, stop: () => (child.kill(), rmSync(dir, { recursive: true, force: true })) };
  for (let waited = 0; !(await fetch(origin).then(() => true, () => false)); waited += 20) {
    if (waited > 2000) sample.stop();
    assert.ok(waited <= 2000, `${file} did not start`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return sample;
}
