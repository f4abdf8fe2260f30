import type { RawSettings } from '../../src/config/index.js';

/**
 * The settings a loader reads, found by handing it raw settings that record every name asked for: once all unset,
 * once all set to a placeholder (so settings read only when another is set are found too). The loader's problems
 * are expected and ignored. Lets tests compare --help and the docs with what the code really reads.
 *
 * @example
 *   settingsReadBy(loadServeConfig) // ['PORT', 'HOST', 'ENTRA_TENANT_ID', …]
 */
export function settingsReadBy(load: (raw: RawSettings) => unknown): string[] {
  const names = new Set<string>();
  for (const value of [undefined, 'x']) {
    const raw = new Proxy({} as RawSettings, {
      get: (_target, name) => {
        if (typeof name === 'string') names.add(name);
        return value;
      },
    });
    try {
      load(raw);
    } catch {
      // Missing and invalid settings are the point of the probe.
    }
  }
  return [...names];
}
