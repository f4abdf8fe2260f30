/** The columns of `legacy_users`, in table order: the documented contract of an imported legacy store. */
export const LEGACY_USERS_COLUMNS = ['id', 'email', 'username', 'password_hash', 'scheme', 'salt', 'status', 'profile_json'] as const;

/** An account's state as `legacy_users.status` holds it; `serve` lets only `active` sign in. */
export type ImportedStatus = 'active' | 'disabled' | 'blocked' | 'locked' | (string & {});

/** Profile fields kept in `profile_json` (premigrate's names), each optional. */
export interface ImportedProfile {
  display_name?: string;
  given_name?: string;
  surname?: string;
  phone?: string;
  email_verified?: boolean;
}

/** One account as it goes into `legacy_users`: what a format reader makes of one record of its export. */
export interface ImportedUser {
  id: string;
  email: string | null;
  username: string | null;
  passwordHash: string;
  /** The hash scheme for hashes without a shape of their own (`firebase-scrypt`); null for self-describing ones. */
  scheme: string | null;
  /** The row's salt, for schemes that keep it apart (Firebase's base64 salt). */
  salt: string | null;
  status: ImportedStatus;
  profile: ImportedProfile;
}

/** Where a record starts: the line of the file (1-based), and the file when an import reads several. */
export interface SourcePosition {
  line: number;
  file?: string;
}

/** What a format reader yields for each record: the account, or why the record cannot be used (never its content). */
export type SourceItem = { at: SourcePosition; user: ImportedUser } | { at: SourcePosition; problem: string };

/** "line 12", or "demo-users-1.json line 12" when the import reads several files. */
export function describePosition(at: SourcePosition): string {
  return at.file === undefined ? `line ${at.line}` : `${at.file} line ${at.line}`;
}
