import { readFileSync, statSync } from 'node:fs';
import { z } from 'zod';
import { ConfigError, type ConfigProblem } from './errors.js';
import { fileProblem } from '../common/file-problem.js';

/** One app registration that premigrate may write through; a secret, a certificate or neither (managed identity). */
export interface AppRegistrationSettings {
  readonly clientId?: string;
  readonly clientSecret?: string;
  readonly certificatePath?: string;
}

/** A credentials file lists a few app registrations; more than the tenant's ~60 writes/s could use is a mistake. */
const MAX_APP_REGISTRATIONS = 10;
const MAX_FILE_BYTES = 64 * 1024;
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const ENTRY = z
  .object({
    clientId: z.string().regex(GUID, 'must be a GUID (the application (client) id)'),
    clientSecret: z.string().min(1).max(1024).optional(),
    certificatePath: z.string().min(1).max(4096).optional(),
  })
  .strict()
  .refine((entry) => !(entry.clientSecret && entry.certificatePath), 'give a clientSecret or a certificatePath, not both')
  .refine((entry) => entry.clientSecret || entry.certificatePath, 'needs a clientSecret or a certificatePath');

/**
 * Reads `--credentials`: a JSON array of app registrations, `[{"clientId": "…", "clientSecret": "…"},
 * {"clientId": "…", "certificatePath": "./app2.pem"}]`. Problems name the entry and field, never a secret's value.
 * A file that others may read is refused: it holds secrets.
 *
 * @example
 *   const apps = readCredentialsFile('./credentials.json');
 */
export function readCredentialsFile(path: string): AppRegistrationSettings[] {
  const problem = (text: string): never => {
    throw new ConfigError([{ setting: '--credentials', problem: text }]);
  };
  let text = '';
  try {
    const stat = statSync(path);
    if (stat.size > MAX_FILE_BYTES) problem(`${path} is larger than ${MAX_FILE_BYTES} bytes`);
    if (process.platform !== 'win32' && (stat.mode & 0o077) !== 0) problem(`${path} holds secrets but others may read it; chmod 600 ${path}`);
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if (error instanceof ConfigError) throw error;
    problem(`${path}: ${fileProblem(error)}`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    problem(`${path} is not valid JSON`);
  }
  if (!Array.isArray(parsed) || parsed.length === 0) problem(`${path} must hold a JSON array of one or more {"clientId", "clientSecret" | "certificatePath"}`);
  const entries = parsed as unknown[];
  if (entries.length > MAX_APP_REGISTRATIONS) problem(`${path} lists ${entries.length} app registrations; at most ${MAX_APP_REGISTRATIONS}`);
  const problems: ConfigProblem[] = [];
  const apps: AppRegistrationSettings[] = [];
  entries.forEach((entry, i) => {
    const result = ENTRY.safeParse(entry);
    if (result.success) apps.push(Object.freeze({ ...result.data }));
    // zod's issue messages are ours or describe types; they never echo a value.
    else for (const issue of result.error.issues) problems.push({ setting: '--credentials', problem: `entry ${i + 1}${issue.path.length > 0 ? ` ${issue.path.join('.')}` : ''}: ${issue.message}` });
  });
  const ids = apps.map((app) => app.clientId);
  const repeated = ids.find((id, i) => ids.indexOf(id) !== i);
  if (repeated) problems.push({ setting: '--credentials', problem: `client ${repeated} is listed twice; each app registration has one write budget` });
  if (problems.length > 0) throw new ConfigError(problems);
  return apps;
}
