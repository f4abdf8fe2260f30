/**
 * The accounts every legacy store kind is seeded with for the contract suite, and the lookup query that gives
 * SQL stores the memory store's matching rule (username or email against username or email, case-insensitively;
 * or the object id exactly).
 */
export interface ContractAccount {
  id: string;
  username: string;
  email: string | null;
  objectId: string | null;
  passwordHash: string;
  status: string | null;
  scheme: string | null;
  salt: string | null;
}

const base = { email: null, objectId: null, status: null, scheme: null, salt: null };

export const ADA_OBJECT_ID = '7b0a1f3e-0000-4000-8000-0000000000a1';
/** 2^53 + 1: rounds to 2^53 if a driver ever passes it through a double. */
export const BIG_ID = '9007199254740993';

export const CONTRACT_ACCOUNTS: readonly ContractAccount[] = [
  { ...base, id: '1', username: 'ada', email: 'ada@example.com', objectId: ADA_OBJECT_ID, passwordHash: '$2b$10$adaAdaAdaAdaAdaAdaAdaOeu4p6sHh1Z0i3P8Yc5pDqGz0Q3n0Sm', status: 'active', scheme: 'bcrypt', salt: 'pepper-not' },
  { ...base, id: '2', username: 'no-status', passwordHash: 'h2' },
  { ...base, id: '3', username: 'locked', passwordHash: 'h3', status: 'LOCKED' },
  { ...base, id: '4', username: 'disabled', passwordHash: 'h4', status: 'disabled' },
  { ...base, id: '5', username: 'blocked', passwordHash: 'h5', status: 'Blocked' },
  { ...base, id: '6', username: 'pending', passwordHash: 'h6', status: 'pending-review' },
  { ...base, id: '7', username: 'twin-one', email: 'shared@example.com', passwordHash: 'h7' },
  { ...base, id: '8', username: 'twin-two', email: 'shared@example.com', passwordHash: 'h8' },
  { ...base, id: '9', username: 'zoë-ünïcødé-名前', passwordHash: 'h9' },
  { ...base, id: BIG_ID, username: 'big-id', passwordHash: 'h10' },
  { ...base, id: '11', username: 'no-hash', passwordHash: '' },
  { ...base, id: '12', username: 'empty-status', passwordHash: 'h12', status: '' },
  { ...base, id: '13', username: "o'brien", passwordHash: 'h13' },
];

/** The contract lookup query; `lower()` exists in all three dialects. */
export function contractQuery(table: string): string {
  return `SELECT id, password_hash, status, scheme, salt, username AS ignored_extra
    FROM ${table}
    WHERE lower(username) IN (lower(:username), lower(:email))
       OR lower(email) IN (lower(:username), lower(:email))
       OR object_id = :objectId`;
}

/** Column definitions shared by the SQL fixtures (types spelled per dialect by the caller). */
export function createTableSql(table: string, types: { id: string; text: string }): string {
  return `CREATE TABLE ${table} (
    id ${types.id} PRIMARY KEY,
    username ${types.text} NOT NULL,
    email ${types.text},
    object_id ${types.text},
    password_hash ${types.text},
    status ${types.text},
    scheme ${types.text},
    salt ${types.text}
  )`;
}

/** The row values in column order of {@link createTableSql}. */
export function rowValues(account: ContractAccount): (string | null)[] {
  return [account.id, account.username, account.email, account.objectId, account.passwordHash, account.status, account.scheme, account.salt];
}
