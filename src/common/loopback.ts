/**
 * True when `url` points at this machine (localhost, 127.x.x.x, [::1]): the emulator's addresses, where plain
 * http and a port are accepted and real-tenant rules do not apply.
 *
 * @example
 *   isLoopbackUrl('http://127.0.0.1:7080') // true
 */
export function isLoopbackUrl(url: string): boolean {
  try {
    const host = new URL(url).hostname;
    return host === 'localhost' || host === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(host);
  } catch {
    return false;
  }
}
