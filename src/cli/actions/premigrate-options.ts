import type { FieldMap } from '../../bulk/index.js';

/** The options of `entra-migrate premigrate`, as commander parses them. */
export interface PremigrateCommandOptions {
  from?: string;
  /** `--env-file`: a dotenv file of settings, under the environment. */
  envFile?: string;
  dryRun?: boolean;
  /** `--sync`: keep the pre-created accounts up to date instead of creating them. */
  sync?: boolean;
  /** `--apply`, with `--sync`: write the changes (without it `--sync` is a dry run). */
  apply?: boolean;
  /** `--allow-mass-disable`, with `--sync`: disable more accounts in one run than the guard allows. */
  allowMassDisable?: boolean;
  rate: number;
  credentials?: string;
  emailMethod?: boolean;
  phoneMethod?: boolean;
  json?: boolean;
  failures?: string;
  legacyIdAttribute?: string;
  attribute: Record<string, string>;
  /** Record field (camelCase) → source column, from `--field`. */
  field: Partial<FieldMap>;
}
