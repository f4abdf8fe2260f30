import { existsSync } from 'node:fs';
import { isLoopbackHost } from '../common/loopback.js';
import type { ConfigProblem } from './errors.js';

/** The raw settings: environment variables by name, or the same keys from a dotenv (--env-file) or JSON (--config) file. */
export type RawSettings = Readonly<Record<string, string | undefined>>;

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Reads settings one at a time and collects every problem, so the caller can report them all together.
 *
 * @example
 *   const reader = new SettingsReader(process.env);
 *   const port = reader.integer('PORT', { default: 7071, min: 1, max: 65535 });
 *   reader.throwIfProblems();
 */
export class SettingsReader {
  readonly problems: ConfigProblem[] = [];

  constructor(private readonly raw: RawSettings) {}

  /** The trimmed value, or undefined when unset or blank. */
  optional(setting: string): string | undefined {
    const value = this.raw[setting]?.trim();
    return value ? value : undefined;
  }

  /** A JSON object (for structured settings such as hash params), or undefined when unset. */
  jsonObject(setting: string): Record<string, unknown> | undefined {
    const text = this.optional(setting);
    if (text === undefined) return undefined;
    if (text.length > 16 * 1024) {
      this.report(setting, 'is longer than 16 KiB');
      return undefined;
    }
    try {
      const value: unknown = JSON.parse(text);
      if (typeof value === 'object' && value !== null && !Array.isArray(value)) return value as Record<string, unknown>;
    } catch {
      // reported below
    }
    this.report(setting, 'must be a JSON object, e.g. {"algorithm": "sha256"}');
    return undefined;
  }

  required(setting: string, hint: string): string {
    const value = this.optional(setting);
    if (value === undefined) this.report(setting, `is required: ${hint}`);
    return value ?? '';
  }

  guid(setting: string, hint: string): string {
    const value = this.required(setting, hint);
    if (value && !GUID.test(value)) this.report(setting, 'must be a GUID such as 00001111-aaaa-2222-bbbb-3333cccc4444');
    return value.toLowerCase();
  }

  integer(setting: string, rule: { default: number; min: number; max: number; unit?: string }): number {
    const text = this.optional(setting);
    if (text === undefined) return rule.default;
    const value = Number(text);
    if (!/^-?\d+$/.test(text) || !Number.isSafeInteger(value) || value < rule.min || value > rule.max) {
      const unit = rule.unit ? ` ${rule.unit}` : '';
      this.report(setting, `must be a whole number from ${rule.min} to ${rule.max}${unit}, got "${text}"`);
      return rule.default;
    }
    return value;
  }

  oneOf<T extends string>(setting: string, choices: readonly T[], fallback: T): T {
    const value = this.optional(setting);
    if (value === undefined) return fallback;
    if (!choices.includes(value as T)) {
      this.report(setting, `must be one of ${choices.join(', ')}, got "${value}"`);
      return fallback;
    }
    return value as T;
  }

  /** An http(s) URL; `http:` only where the host is loopback (a local emulator), since it would carry keys in clear. */
  url(setting: string): string | undefined {
    const value = this.optional(setting);
    if (value === undefined) return undefined;
    let url: URL;
    try {
      url = new URL(value);
    } catch {
      this.report(setting, `is not a URL: "${value}"`);
      return undefined;
    }
    if (url.protocol === 'https:') return url.href;
    if (url.protocol === 'http:' && isLoopbackHost(url.hostname)) return url.href;
    this.report(setting, 'must be an https: URL (http: is accepted only for localhost, 127.0.0.1 or [::1])');
    return undefined;
  }

  /** A path to a file that must exist now; the path is shown in the problem (a path is not a secret), its content never. */
  existingFile(setting: string): string | undefined {
    const path = this.optional(setting);
    if (path === undefined) return undefined;
    if (!existsSync(path)) {
      this.report(setting, `names a file that does not exist: ${path.slice(0, 200)}`);
      return undefined;
    }
    return path;
  }

  report(setting: string, problem: string): void {
    this.problems.push({ setting, problem });
  }
}
