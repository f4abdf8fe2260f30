/**
 * True for a host name on this machine — `localhost`, `127.x.x.x`, `[::1]` — where the emulator runs and plain http
 * never leaves the host: the one place the project's "https, except on loopback" rules ask.
 *
 * @example
 *   isLoopbackHost(new URL('http://127.0.0.1:7080').hostname) // true
 */
export function isLoopbackHost(hostname: string): boolean {
  return hostname === 'localhost' || hostname === '[::1]' || hostname === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(hostname);
}

/** `isLoopbackHost` for a whole URL; false for text that is not a URL. */
export function isLoopbackUrl(url: string): boolean {
  try {
    return isLoopbackHost(new URL(url).hostname);
  } catch {
    return false;
  }
}
