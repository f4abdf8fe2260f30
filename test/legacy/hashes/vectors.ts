import { readdirSync, readFileSync } from 'node:fs';

/** One entry of test/fixtures/vectors/hashes.json (see its README). */
export interface HashVector {
  format: string;
  password?: string;
  password_hex?: string;
  hash: string;
  params?: Record<string, unknown>;
  source: string;
}

export const VECTORS: readonly HashVector[] = JSON.parse(
  readFileSync(new URL('../../fixtures/vectors/hashes.json', import.meta.url), 'utf8'),
) as HashVector[];

export function passwordOf(vector: HashVector): string {
  return vector.password ?? Buffer.from(vector.password_hex ?? '', 'hex').toString('latin1');
}

/** The password with its first character changed (the last may lie past bcrypt's 72 bytes): must never match. */
export function oneCharacterOff(password: string): string {
  const first = password[0] ?? 'a';
  return (first === 'x' ? 'y' : 'x') + password.slice(1);
}

/** One entry of test/fixtures/vectors/families/*.json (see its README). */
export interface FamilyVector {
  format: string;
  password?: string;
  password_hex?: string;
  hash: string;
  params?: Record<string, unknown>;
  malformed?: boolean;
  /** A disabled-account marker: never matches, not even its own password, and is no error. */
  disabled?: boolean;
  source: string;
  /** The file it came from. */
  family: string;
}

const FAMILIES = new URL('../../fixtures/vectors/families/', import.meta.url);

/** Every vector of the formats added by family (issue 13), correct and malformed. */
export const FAMILY_VECTORS: readonly FamilyVector[] = readdirSync(FAMILIES)
  .filter((name) => name.endsWith('.json'))
  .sort()
  .flatMap((name) => (JSON.parse(readFileSync(new URL(name, FAMILIES), 'utf8')) as Omit<FamilyVector, 'family'>[]).map((vector) => ({ ...vector, family: name.replace(/\.json$/, '') })));
