import { readFile } from 'node:fs/promises';
import { InvalidArgumentError } from 'commander';
import { ConfigError, loadGraphAccessConfig, loadSettings } from '../../config/index.js';
import { runDoctor, type Finding } from '../../doctor/index.js';
import { EXTENSION_ERROR_CODES, explainExtensionErrorCode } from '../../events/index.js';
import { appCredential, createGraphClient } from '../../graph/index.js';
import { loadKeyRing } from '../../security/index.js';
import { ExitCode } from '../exit-codes.js';
import { wholeNumberIn } from '../parse-options.js';
import { reportError } from '../report-error.js';
import { fileProblem } from '../../common/file-problem.js';

export interface DoctorCommandOptions {
  targetUrl?: string;
  keyFile: string[];
  deadlineMs?: number;
  flagAttribute?: string;
  /** `--client-app-id` (repeatable). */
  clientAppId?: string[];
  explain?: number | true;
  json?: boolean;
  /** `--env-file`: a dotenv file of settings, under the environment. */
  envFile?: string;
}

const SYMBOL = { ok: 'ok  ', warning: 'warn', problem: 'FAIL' } as const;

/** `entra-migrate doctor`: checks a deployment, or explains an error code. */
export async function doctor(options: DoctorCommandOptions): Promise<number> {
  if (options.explain !== undefined) return explain(options.explain === true ? undefined : options.explain);
  try {
    if (!options.targetUrl) throw new ConfigError([{ setting: '--target-url', problem: "is required: the extension's public endpoint (or use --explain)" }]);
    const settings = loadSettings({ env: process.env, envFile: options.envFile });
    const keyFiles = options.keyFile.length > 0 ? options.keyFile : (settings.JIT_DECRYPTION_KEY_FILE ?? '').split(',').map((path) => path.trim()).filter(Boolean);
    const ring = loadKeyRing(await Promise.all(keyFiles.map(async (path) => ({ pem: await readKeyFile(path), source: path }))));
    const deadline = options.deadlineMs ?? (settings.RESPONSE_DEADLINE_MS ? wholeNumberIn(100, 2000)(settings.RESPONSE_DEADLINE_MS) : 1500);
    let graph;
    // Graph access is optional: with a tenant (either name) the tenant is checked too.
    if (settings.ENTRA_TENANT_ID?.trim() || settings.AZURE_TENANT_ID?.trim()) {
      const access = loadGraphAccessConfig(settings);
      graph = createGraphClient({ baseUrl: access.graphBaseUrl, credential: appCredential({ authorityHost: access.authorityHost, tenantId: access.tokenTenantId, ...access.app }).credential });
    }
    const flagAttribute = options.flagAttribute ?? settings.MIGRATION_FLAG_ATTRIBUTE;
    const findings = await runDoctor({
      targetUrl: options.targetUrl,
      serverKeyThumbprints: ring.keys.flatMap((key) => (key.x5t ? [key.x5t] : [])),
      keysWithoutCertificate: ring.keys.filter((key) => !key.x5t).length,
      responseDeadlineInMs: deadline,
      ...(graph && { graph }),
      ...(flagAttribute && { flagAttribute }),
      ...(options.clientAppId && options.clientAppId.length > 0 && { clientAppIds: options.clientAppId }),
      ...(settings.SIGNUP_COLLISION?.trim() && { signUpCollision: settings.SIGNUP_COLLISION.trim().toLowerCase() }),
      ...(settings.LEGACY_ID_ATTRIBUTE?.trim() && { legacyIdAttribute: settings.LEGACY_ID_ATTRIBUTE.trim() }),
    });
    print(findings, options.json === true);
    return findings.some((finding) => finding.level === 'problem') ? ExitCode.FAILURE : ExitCode.OK;
  } catch (error) {
    if (error instanceof InvalidArgumentError) return reportError('doctor', new ConfigError([{ setting: 'RESPONSE_DEADLINE_MS', problem: `must be ${error.message}` }]));
    return reportError('doctor', error);
  }
}

function print(findings: Finding[], json: boolean): void {
  if (json) {
    process.stdout.write(`${JSON.stringify({ findings }, null, 2)}\n`);
    return;
  }
  const lines = findings.map((finding) => `${SYMBOL[finding.level]}  ${finding.check}: ${finding.message}${finding.entraErrorCode ? ` [sign-ins fail with ${finding.entraErrorCode}; doctor --explain ${finding.entraErrorCode}]` : ''}`);
  const problems = findings.filter((finding) => finding.level === 'problem').length;
  lines.push('', problems === 0 ? 'No problem found.' : `${problems} problem${problems === 1 ? '' : 's'} found.`);
  process.stdout.write(`${lines.join('\n')}\n`);
}

function explain(code: number | undefined): number {
  const entries = code === undefined ? EXTENSION_ERROR_CODES : [explainExtensionErrorCode(code)].filter((entry) => entry !== undefined);
  if (entries.length === 0) {
    process.stderr.write(`entra-migrate doctor: ${code} is not a custom authentication extension error code we know; known: ${EXTENSION_ERROR_CODES.map((entry) => entry.code).join(', ')}.\n`);
    return ExitCode.USAGE;
  }
  process.stdout.write(`${entries.map((entry) => `${entry.code} ${entry.name} (the user sees AADSTS1100001)\n  Cause: ${entry.cause}\n  Fix:   ${entry.fix}`).join('\n\n')}\n`);
  return ExitCode.OK;
}

async function readKeyFile(path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    throw new ConfigError([{ setting: '--key-file', problem: `${path}: ${fileProblem(error)}` }]);
  }
}
