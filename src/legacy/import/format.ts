import type { HashDefaults } from '../hash-store-authority.js';
import type { SourceItem } from './imported-user.js';

/** The export formats `legacy import` reads. */
export const IMPORT_FORMAT_IDS = ['auth0', 'firebase', 'keycloak', 'csv'] as const;

export type ImportFormatId = (typeof IMPORT_FORMAT_IDS)[number];

/** What the command line gives a format. */
export interface ImportSourceOptions {
  /** `--from`: the export file (Keycloak: or a directory of `<realm>-users-<n>.json` files). */
  from: string;
  /** `--hash-config`: the file of hash parameters, for the formats that take one. */
  hashConfig?: string;
  /** `--field column=source`: where a table column comes from, for the formats that take a mapping. */
  fields: Readonly<Record<string, string>>;
}

/** A format's import, checked and ready to read. */
export interface PreparedImport {
  /** The store-wide scheme and params `serve` must be given with the table (LEGACY_HASH_SCHEME, LEGACY_HASH_PARAMS). */
  hashDefaults: HashDefaults | undefined;
  /** The records of the export, one at a time, in file order. */
  records(): AsyncIterable<SourceItem>;
}

/**
 * One export format: how its options are checked and its records read. Adding a format is adding one of these to
 * the registry (formats.ts).
 */
export interface ImportFormat {
  readonly id: ImportFormatId;
  /**
   * Checks the options and the hash parameters and opens nothing yet; throws `LegacyImportError` (exit 2) when the
   * import cannot run, before any table is touched.
   */
  prepare(options: ImportSourceOptions): Promise<PreparedImport>;
}
