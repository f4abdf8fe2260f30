import type { RawSettings } from '../../src/config/index.js';
import { LEGACY_STORE_SELECTORS } from '../../src/config/legacy-store-settings.js';

/**
 * The settings a loader reads, found by handing it raw settings that record every name asked for: once all unset,
 * once all set to a placeholder (so settings read only when another is set are found too), and once per kind of
 * legacy store with only its selecting setting set (each kind's settings are read only when it is the one chosen) —
 * then again with each name found left unset in turn (a setting read only when a rival one is not, such as the
 * directory's search settings beside its DN template). The loader's problems are expected and ignored. Lets tests compare --help and the docs with what the code really reads.
 *
 * @example
 *   settingsReadBy(loadServeConfig) // ['PORT', 'HOST', 'ENTRA_TENANT_ID', …]
 */
export function settingsReadBy(load: (raw: RawSettings) => unknown): string[] {
  const names = new Set<string>();
  const selectors: readonly string[] = LEGACY_STORE_SELECTORS;
  const only = (chosen: string) => (name: string) => (selectors.includes(name) && name !== chosen ? undefined : 'x');
  const probes: Array<(name: string) => string | undefined> = [() => undefined, () => 'x', ...selectors.map(only)];
  const probe = (valueOf: (name: string) => string | undefined) => {
    const raw = new Proxy({} as RawSettings, {
      get: (_target, name) => {
        if (typeof name !== 'string') return undefined;
        names.add(name);
        return valueOf(name);
      },
    });
    try {
      load(raw);
    } catch {
      // Missing and invalid settings are the point of the probe.
    }
  };
  for (const valueOf of probes) probe(valueOf);
  for (const chosen of selectors) {
    for (const unset of [...names]) probe((name) => (name === unset ? undefined : only(chosen)(name)));
  }
  return [...names];
}
