import { connect as connectTcp, isIP, type Socket } from 'node:net';
import { connect as connectTls } from 'node:tls';
import { LegacyStoreError, LegacyStoreErrorCode } from '../../errors.js';

/**
 * Opens a connection to `url`'s origin (TLS for `https:`, with the certificate checked) and closes it: the
 * readiness check for a token endpoint whose provider publishes no OpenID metadata we know how to find. No request
 * is sent, so nothing reaches the provider's logs or lockout counters.
 *
 * @example
 *   await probeConnection(new URL('https://login.example.com/token'), { timeoutInMs: 5000 });
 */
export function probeConnection(url: URL, options: { abortSignal?: AbortSignal; timeoutInMs: number }): Promise<void> {
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  const secure = url.protocol === 'https:';
  const port = Number(url.port) || (secure ? 443 : 80);
  return new Promise((resolve, reject) => {
    if (options.abortSignal?.aborted) {
      reject(options.abortSignal.reason);
      return;
    }
    const socket: Socket = secure
      ? connectTls({ host, port, ...(isIP(host) === 0 && { servername: host }), ALPNProtocols: ['http/1.1'] })
      : connectTcp({ host, port });
    const finish = (error?: unknown) => {
      clearTimeout(timer);
      options.abortSignal?.removeEventListener('abort', onAbort);
      socket.destroy();
      if (error === undefined) resolve();
      else reject(error);
    };
    const onAbort = () => finish(options.abortSignal?.reason);
    const timer = setTimeout(
      () => finish(new LegacyStoreError(LegacyStoreErrorCode.TIMEOUT, `The OpenID provider's token endpoint did not accept a connection within ${options.timeoutInMs} ms.`)),
      options.timeoutInMs,
    );
    options.abortSignal?.addEventListener('abort', onAbort, { once: true });
    socket.once(secure ? 'secureConnect' : 'connect', () => finish());
    socket.once('error', (error: NodeJS.ErrnoException) =>
      finish(
        new LegacyStoreError(
          LegacyStoreErrorCode.UNAVAILABLE,
          `The OpenID provider's token endpoint could not be reached (${safeCode(error)}); check LEGACY_ROPC_TOKEN_URL.`,
          { cause: error },
        ),
      ),
    );
  });
}

/** A network error's code (`ECONNREFUSED`, `CERT_HAS_EXPIRED`), or a generic word. */
export function safeCode(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^[A-Z0-9_]{2,64}$/.test(code) ? code : 'network error';
}
