import { randomUUID } from 'node:crypto';
import { isLoopbackHost } from '../common/loopback.js';
import { EmulatorError, EmulatorErrorCode } from './errors.js';

/** An OnPasswordSubmit custom authentication extension, as the tenant holds it (Graph `onPasswordSubmitCustomExtension` + listener). */
export interface PasswordSubmitExtension {
  readonly id: string;
  readonly listenerId: string;
  readonly targetUrl: string;
  /** The extension's app registration: the token's `aud`, the context's `aud`. */
  readonly appId: string;
  /** The host name in the resource id `api://{host}/{appId}`: the target URL's, without its port (1003015). */
  readonly resourceHost: string;
  readonly encryptionCertificatePem: string;
  /** 200–2000 ms; default 2000 (Entra's own default is 1000; the emulator gives a local debugger room). */
  readonly timeoutInMs: number;
  /** 0 or 1; default 1, as Entra. */
  readonly maximumRetries: number;
  /** The directory extension attribute marking users still to migrate (`migrationPropertyId` of the listener). */
  readonly migrationFlagAttribute: string;
}

export interface ExtensionSettings {
  targetUrl: string;
  appId: string;
  encryptionCertificatePem: string;
  timeoutInMs?: number;
  maximumRetries?: number;
  migrationFlagAttribute?: string;
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Validates settings as Graph would, filling Entra's defaults. */
export function registerPasswordSubmitExtension(settings: ExtensionSettings): PasswordSubmitExtension {
  const invalid = (problem: string) => new EmulatorError(EmulatorErrorCode.CONFIG_INVALID, `The OnPasswordSubmit extension ${problem}.`);
  let url: URL;
  try {
    url = new URL(settings.targetUrl);
  } catch {
    throw invalid(`target URL ${settings.targetUrl} is not a URL`);
  }
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && isLoopbackHost(url.hostname))) {
    throw invalid('target URL must be https (the emulator also accepts http on loopback)');
  }
  if (!GUID.test(settings.appId)) throw invalid('app id must be a GUID');
  if (!settings.encryptionCertificatePem.includes('BEGIN CERTIFICATE')) throw invalid('needs the PEM certificate of its encryption key');
  const timeoutInMs = settings.timeoutInMs ?? 2000;
  if (!(Number.isInteger(timeoutInMs) && timeoutInMs >= 200 && timeoutInMs <= 2000)) throw invalid('timeout must be 200–2000 ms');
  const maximumRetries = settings.maximumRetries ?? 1;
  if (maximumRetries !== 0 && maximumRetries !== 1) throw invalid('maximumRetries must be 0 or 1');
  return {
    id: randomUUID(),
    listenerId: randomUUID(),
    targetUrl: url.href,
    appId: settings.appId.toLowerCase(),
    resourceHost: url.hostname,
    encryptionCertificatePem: settings.encryptionCertificatePem,
    timeoutInMs,
    maximumRetries,
    migrationFlagAttribute: settings.migrationFlagAttribute ?? `extension_${settings.appId.replace(/-/g, '').toLowerCase()}_toBeMigrated`,
  };
}
