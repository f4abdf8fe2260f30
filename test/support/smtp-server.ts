import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Debian's interpreter: python3-aiosmtpd is importable by it, not by a pyenv python3 first on PATH. */
export const SYSTEM_PYTHON = '/usr/bin/python3';
const SCRIPT = fileURLToPath(new URL('smtp-server.py', import.meta.url));

/** One message as the server received it, decoded by Python's `email` package. */
export interface ReceivedMail {
  mailFrom: string;
  rcptTos: string[];
  authenticated: boolean;
  /** The client end of the connection that carried the message: [host, port]. */
  peer: [string, number] | null;
  /** Whether the message came over TLS (implicit, or after STARTTLS). */
  tls: boolean;
  /** Header names lower-cased; values decoded (RFC 2047 words as text). */
  headers: Record<string, string>;
  text: string | null;
  html: string | null;
  /** The message as sent, still MIME-encoded. */
  raw: string;
}

export interface TestSmtpServer {
  port: number;
  /** `smtp://[user:pass@]127.0.0.1:port` (or `smtps://`). */
  url(credentials?: { user: string; password: string }, scheme?: 'smtp' | 'smtps'): URL;
  messages(): ReceivedMail[];
  close(): Promise<void>;
}

/**
 * Whether the SMTP tests may run: false (run) or a skip reason. Under CI=true a missing aiosmtpd is a failure.
 *
 * @example
 *   test('sends', { skip: await skipUnlessAiosmtpd() }, async () => { … });
 */
export async function skipUnlessAiosmtpd(): Promise<string | false> {
  const ok = existsSync(SYSTEM_PYTHON) && (await new Promise<boolean>((resolve) => {
    const child = spawn(SYSTEM_PYTHON, ['-c', 'import aiosmtpd'], { stdio: 'ignore' });
    child.on('error', () => resolve(false));
    child.on('close', (code) => resolve(code === 0));
  }));
  if (ok) return false;
  const reason = `${SYSTEM_PYTHON} cannot import aiosmtpd; these tests need Debian's python3-aiosmtpd (apt-get install python3-aiosmtpd)`;
  if (process.env.CI === 'true') throw new Error(`CI requires ${reason}`);
  return reason;
}

/**
 * Starts a real SMTP server (aiosmtpd, test/support/smtp-server.py) on a free loopback port; each accepted message
 * is stored and read back with `messages()`. With `auth`, AUTH PLAIN/LOGIN with those credentials is required; with
 * `tls`, the server offers STARTTLS or speaks TLS from the first byte (smtps) with that certificate.
 */
export async function startSmtpServer(options: { auth?: { user: string; password: string }; tls?: { mode: 'starttls' | 'implicit'; certFile: string; keyFile: string } } = {}): Promise<TestSmtpServer> {
  const dir = mkdtempSync(join(tmpdir(), 'smtp-'));
  const args = [SCRIPT, dir, ...(options.auth ? ['--auth', `${options.auth.user}:${options.auth.password}`] : []), ...(options.tls ? [options.tls.mode === 'starttls' ? '--starttls' : '--implicit-tls', options.tls.certFile, options.tls.keyFile] : [])];
  const child: ChildProcess = spawn(SYSTEM_PYTHON, args, { stdio: ['pipe', 'pipe', 'pipe'] });
  let errors = '';
  child.stderr!.on('data', (chunk: Buffer) => (errors += chunk.toString()));
  const port = await new Promise<number>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const match = /PORT (\d+)/.exec(out);
      if (match) resolve(Number(match[1]));
    });
    child.on('close', (code) => reject(new Error(`the SMTP server stopped (${code}): ${errors.slice(0, 500)}`)));
  });
  return {
    port,
    url: (credentials, scheme = 'smtp') => new URL(`${scheme}://${credentials ? `${encodeURIComponent(credentials.user)}:${encodeURIComponent(credentials.password)}@` : ''}127.0.0.1:${port}`),
    messages: () =>
      readdirSync(dir)
        .filter((name) => name.endsWith('.json'))
        .sort()
        .map((name) => JSON.parse(readFileSync(join(dir, name), 'utf8')) as ReceivedMail),
    async close() {
      const closed = new Promise((resolve) => child.once('close', resolve));
      child.stdin!.end();
      const timer = setTimeout(() => child.kill('SIGKILL'), 2000);
      await closed;
      clearTimeout(timer);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A TCP server that accepts connections and never says a word: an SMTP server that hangs before its greeting. */
export async function startSilentServer(): Promise<{ port: number; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => undefined);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as { port: number }).port,
    close: () => {
      for (const socket of sockets) socket.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

/** A loopback port nothing listens on (bound, then released). */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}
