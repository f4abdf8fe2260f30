import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { AndFilter, EqualityFilter, FilterParser, OrFilter, SubstringFilter } from 'ldapts';
import { escapeDnValue, escapeFilterValue, fillDn, fillFilter } from '../../../src/legacy/stores/ldap/escape.js';

describe('RFC 4515 filter value escaping', () => {
  test('the five characters of RFC 4515 §3 become hex escapes; nothing else changes', () => {
    assert.equal(escapeFilterValue('*'), '\\2a');
    assert.equal(escapeFilterValue('('), '\\28');
    assert.equal(escapeFilterValue(')'), '\\29');
    assert.equal(escapeFilterValue('\\'), '\\5c');
    assert.equal(escapeFilterValue('\u0000'), '\\00');
    assert.equal(escapeFilterValue('ada.lovelace+tag@example.org'), 'ada.lovelace+tag@example.org');
    assert.equal(escapeFilterValue('zoë-日本-😀'), 'zoë-日本-😀');
  });

  test('hostile names parse back (with ldapts, as the store sends them) to one equality on the exact text', () => {
    const names = ['*', '*)(uid=*', 'admin)(|(uid=*', '\\00', 'a\\2ab', '))))((((', '\\', 'zoë*(é)', 'x'.repeat(300)];
    for (const name of names) {
      const filter = FilterParser.parseString(fillFilter('(uid={username})', name));
      assert.ok(filter instanceof EqualityFilter, `${name} became ${filter.constructor.name}`);
      assert.equal(filter.attribute, 'uid');
      assert.equal(filter.value, name);
    }
  });

  test('without escaping the same names would change the filter (the test inputs are real injections)', () => {
    assert.ok(!(FilterParser.parseString('(uid=*)') instanceof EqualityFilter));
    const and = FilterParser.parseString('(&(a=b)(uid=adm*))');
    assert.ok(and instanceof AndFilter && and.filters[1] instanceof SubstringFilter);
    const widened = FilterParser.parseString('(|(mail=x)(uid=*)(uid=admin))');
    assert.ok(widened instanceof OrFilter && widened.filters.length === 3);
  });

  test('every {username} is filled, and $ patterns in a name are text, not replacement patterns', () => {
    assert.equal(fillFilter('(|(mail={username})(uid={username}))', 'ada'), '(|(mail=ada)(uid=ada))');
    assert.equal(fillFilter('(uid={username})', "$&$'$`$$"), "(uid=$&$'$`$$)");
  });
});

describe('RFC 4514 DN value escaping', () => {
  test('the special characters of RFC 4514 §2.4 (and =) get a backslash', () => {
    assert.equal(escapeDnValue('a,b+c"d\\e<f>g;h=i'), 'a\\,b\\+c\\"d\\\\e\\<f\\>g\\;h\\=i');
  });

  test('a leading space or #, and a trailing space, are escaped; inner ones are not', () => {
    assert.equal(escapeDnValue(' a b '), '\\ a b\\ ');
    assert.equal(escapeDnValue('#0403616461'), '\\#0403616461');
    assert.equal(escapeDnValue('a#b'), 'a#b');
    assert.equal(escapeDnValue(' '), '\\ ');
    assert.equal(escapeDnValue('a\\ '), 'a\\\\\\ ');
  });

  test('control characters become hex pairs; non-ASCII stays', () => {
    assert.equal(escapeDnValue('a\u0000b\nc'), 'a\\00b\\0ac');
    assert.equal(escapeDnValue('zoë 😀'), 'zoë 😀');
  });

  test('the template gets one escaped value wherever {username} stands', () => {
    assert.equal(fillDn('uid={username},ou=people,dc=example,dc=org', 'ada,ou=admins'), 'uid=ada\\,ou\\=admins,ou=people,dc=example,dc=org');
    assert.equal(fillDn('uid={username}+cn={username},dc=x', '$&'), 'uid=$&+cn=$&,dc=x');
  });
});
