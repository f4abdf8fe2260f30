import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { compileNamedQuery, LegacyStoreErrorCode, type SqlDialect } from '../../src/legacy/index.js';

const DIALECTS: readonly SqlDialect[] = ['sqlite', 'postgres', 'mysql'];

function rejects(sql: string, dialect: SqlDialect, pattern?: RegExp): void {
  assert.throws(
    () => compileNamedQuery(sql, dialect),
    (error: unknown) => {
      assert.equal((error as { code?: string }).code, LegacyStoreErrorCode.QUERY_INVALID);
      if (pattern) assert.match((error as { publicMessage: string }).publicMessage, pattern);
      return true;
    },
  );
}

describe('compileNamedQuery: placeholders per dialect', () => {
  const sql = 'SELECT password_hash FROM users WHERE login = :username OR mail = :email OR oid = :objectId';

  test('sqlite and mysql use ? in order of appearance', () => {
    for (const dialect of ['sqlite', 'mysql'] as const) {
      assert.deepEqual(compileNamedQuery(sql, dialect), {
        text: 'SELECT password_hash FROM users WHERE login = ? OR mail = ? OR oid = ?',
        order: ['username', 'email', 'objectId'],
      });
    }
  });

  test('postgres numbers $1..$n', () => {
    assert.deepEqual(compileNamedQuery(sql, 'postgres'), {
      text: 'SELECT password_hash FROM users WHERE login = $1 OR mail = $2 OR oid = $3',
      order: ['username', 'email', 'objectId'],
    });
  });

  test('a repeated name reuses its $n on postgres and repeats the value for ? dialects', () => {
    const repeated = 'SELECT password_hash FROM u WHERE login = :username OR mail = :email OR mail = :username';
    assert.deepEqual(compileNamedQuery(repeated, 'postgres'), {
      text: 'SELECT password_hash FROM u WHERE login = $1 OR mail = $2 OR mail = $1',
      order: ['username', 'email'],
    });
    assert.deepEqual(compileNamedQuery(repeated, 'mysql'), {
      text: 'SELECT password_hash FROM u WHERE login = ? OR mail = ? OR mail = ?',
      order: ['username', 'email', 'username'],
    });
  });

  test('a parameter next to punctuation and at the very end', () => {
    assert.deepEqual(compileNamedQuery('SELECT 1 WHERE f(:username,:email)=:objectId', 'postgres'), {
      text: 'SELECT 1 WHERE f($1,$2)=$3',
      order: ['username', 'email', 'objectId'],
    });
  });
});

describe('compileNamedQuery: what stays text', () => {
  test('postgres :: casts are kept, also right after a parameter', () => {
    assert.deepEqual(compileNamedQuery("SELECT x::text FROM u WHERE login = :username::citext AND '1'::int = 1", 'postgres'), {
      text: "SELECT x::text FROM u WHERE login = $1::citext AND '1'::int = 1",
      order: ['username'],
    });
  });

  test('a :name inside a single-quoted string stays text, doubled quotes included', () => {
    for (const dialect of DIALECTS) {
      const compiled = compileNamedQuery("SELECT ':username', 'it''s :email' FROM u WHERE a = :objectId", dialect);
      assert.equal(compiled.text.startsWith("SELECT ':username', 'it''s :email' FROM u WHERE a = "), true, dialect);
      assert.deepEqual(compiled.order, ['objectId'], dialect);
    }
  });

  test('a :name inside a double-quoted identifier stays text', () => {
    for (const dialect of ['sqlite', 'postgres'] as const) {
      assert.deepEqual(compileNamedQuery('SELECT "a:username""x" FROM u WHERE b = :email', dialect).order, ['email']);
    }
  });

  test('comments: -- to end of line and /* */ blocks', () => {
    const sql = 'SELECT 1 -- :username\nFROM u /* :email\n :nothing */ WHERE a = :objectId';
    for (const dialect of DIALECTS) {
      const compiled = compileNamedQuery(sql, dialect);
      assert.deepEqual(compiled.order, ['objectId'], dialect);
      assert.equal(compiled.text.includes('-- :username\nFROM u /* :email\n :nothing */'), true, dialect);
    }
  });

  test('postgres: nested block comments, dollar quotes, E strings with backslashes', () => {
    const sql = "SELECT /* a /* :bad */ :bad */ $$:bad$$, $tag$ :bad $x$ $tag$, E'\\' :bad ', a$b FROM u WHERE x = :email";
    assert.deepEqual(compileNamedQuery(sql, 'postgres'), {
      text: "SELECT /* a /* :bad */ :bad */ $$:bad$$, $tag$ :bad $x$ $tag$, E'\\' :bad ', a$b FROM u WHERE x = $1",
      order: ['email'],
    });
  });

  test("postgres: a backslash in a plain string does not escape (standard_conforming_strings)", () => {
    assert.deepEqual(compileNamedQuery("SELECT 'a\\' FROM u WHERE x = :email", 'postgres').order, ['email']);
  });

  test('postgres: the jsonb ? operator is not a placeholder', () => {
    assert.deepEqual(compileNamedQuery("SELECT 1 FROM u WHERE tags ? 'x' AND login = :username", 'postgres').order, ['username']);
  });

  test('mysql: # comments, backtick identifiers, backslash escapes, "--" without a space is not a comment', () => {
    const sql = "SELECT `:bad`, 'it\\'s :bad', \"q\\\" :bad\" # :bad\nFROM u WHERE a = 1--:username\n";
    assert.deepEqual(compileNamedQuery(sql, 'mysql').order, ['username']);
  });

  test('sqlite: [bracketed] identifiers', () => {
    assert.deepEqual(compileNamedQuery('SELECT [a:bad] FROM u WHERE b = :username', 'sqlite').order, ['username']);
  });

  test('a colon before a non-name and assignment := are left alone', () => {
    assert.deepEqual(compileNamedQuery('SELECT @x := 1, a[1:2], ": " FROM u WHERE b = :username', 'mysql').order, ['username']);
  });
});

describe('compileNamedQuery: rejections', () => {
  test('an unknown name is named in the message, for every dialect', () => {
    for (const dialect of DIALECTS) rejects('SELECT 1 FROM u WHERE a = :user_name', dialect, /:user_name/);
  });

  test('names are case-sensitive: :objectid is unknown', () => {
    rejects('SELECT 1 FROM u WHERE a = :objectid', 'postgres', /:objectid at offset 26 \(line 1\)/);
  });

  test('the empty query and a whitespace-only query', () => {
    for (const dialect of DIALECTS) {
      rejects('', dialect, /empty/);
      rejects(' \n\t ', dialect, /empty/);
    }
  });

  test('a query using no parameter at all', () => {
    for (const dialect of DIALECTS) rejects('SELECT password_hash FROM users -- :username', dialect, /none of/);
  });

  test('positional placeholders of the dialect', () => {
    rejects('SELECT 1 FROM u WHERE a = ? AND b = :username', 'sqlite', /positional/);
    rejects('SELECT 1 FROM u WHERE a = ? AND b = :username', 'mysql', /positional/);
    rejects('SELECT 1 FROM u WHERE a = $1 AND b = :username', 'postgres', /positional/);
  });

  test('unterminated strings, identifiers, comments and dollar quotes', () => {
    for (const dialect of DIALECTS) {
      rejects("SELECT 1 FROM u WHERE a = :username AND b = 'open", dialect, /unterminated string/);
      rejects('SELECT 1 FROM u WHERE a = :username /* open', dialect, /unterminated comment/);
    }
    rejects('SELECT "open FROM u WHERE a = :username', 'postgres', /unterminated/);
    rejects('SELECT $q$ open FROM u WHERE a = :username', 'postgres', /unterminated dollar-quoted/);
    rejects('SELECT /* /* */ FROM u WHERE a = :username', 'postgres', /unterminated comment/);
  });
});

describe('compileNamedQuery: hostile input', () => {
  test('a 1 MB query compiles quickly and keeps every character', () => {
    const filler = "'x:username''y' /* :email */ a::int, ".repeat(Math.ceil(1_000_000 / 36));
    const sql = `SELECT ${filler} 1 FROM u WHERE a = :username`;
    const started = performance.now();
    const compiled = compileNamedQuery(sql, 'postgres');
    assert.ok(performance.now() - started < 1000, 'compiles a 1 MB query in under a second');
    assert.equal(compiled.text, sql.replace(/:username$/, '$1'));
    assert.deepEqual(compiled.order, ['username']);
  });

  test('a 1 MB unknown name is reported truncated', () => {
    const name = 'a'.repeat(1_000_000);
    assert.throws(
      () => compileNamedQuery(`SELECT 1 WHERE x = :${name}`, 'sqlite'),
      (error: Error & { publicMessage?: string }) => (error.publicMessage ?? '').length < 400,
    );
  });

  test('thousands of parameters', () => {
    const sql = `SELECT 1 WHERE ${Array.from({ length: 5000 }, () => 'a = :username').join(' OR ')}`;
    assert.equal(compileNamedQuery(sql, 'postgres').order.length, 1);
    assert.equal(compileNamedQuery(sql, 'mysql').order.length, 5000);
  });

  test('unicode, NUL and control characters are copied as they are', () => {
    const sql = "SELECT 'ünïcødé 🎉', \u0000 FROM u WHERE a = :username\u0007";
    assert.equal(compileNamedQuery(sql, 'sqlite').text, "SELECT 'ünïcødé 🎉', \u0000 FROM u WHERE a = ?\u0007");
  });

  test('only quote characters, only colons, only dashes do not crash', () => {
    for (const dialect of DIALECTS) {
      for (const sql of ["'", '"', '`', ':', '::', ':::', '--', '/*', '*/', '$', '$$', '[', '\\']) {
        assert.throws(() => compileNamedQuery(sql, dialect), (error: { code?: string }) => error.code === LegacyStoreErrorCode.QUERY_INVALID, `${dialect} ${sql}`);
      }
    }
  });
});
