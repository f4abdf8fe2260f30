import type { FieldMap } from '../../bulk/index.js';

/** The options of `entra-migrate premigrate`, as commander parses them. */
export interface PremigrateCommandOptions {
  from?: string;
  /** `--env-file`: a dotenv file of settings, under the environment. */
  envFile?: string;
  dryRun?: boolean;
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
