import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return name === 'fixtures' ? [] : filesUnder(path);
    return /\.(ts|mjs|js)$/.test(name) ? [path] : [];
  });
}

// A fresh clone has nothing beside it: every file a test, a benchmark or the runner reads is in the repository.
test('no test, benchmark or script names a path outside the repository', () => {
  const escapes: string[] = [];
  for (const file of [...filesUnder(join(root, 'test')), ...filesUnder(join(root, 'bench')), ...filesUnder(join(root, 'scripts'))]) {
    const text = readFileSync(file, 'utf8');
    // Relative paths in string literals (`new URL('../x', import.meta.url)`, `join(here, '../x')`).
    for (const [, literal] of text.matchAll(/['"`]((?:\.\.\/)+[^'"`\s]*)['"`]/g)) {
      const target = resolve(dirname(file), literal!);
      if (target !== root && !target.startsWith(root + sep)) escapes.push(`${relative(root, file)}: ${literal}`);
    }
    if (/\bshared[\\/](?:vectors|fixtures|ci)\b/.test(text)) escapes.push(`${relative(root, file)}: names the shared folder beside the repository`);
  }
  assert.deepEqual(escapes, []);
});

test('the copied vectors and fixtures are present with their README', () => {
  const vectors = JSON.parse(readFileSync(join(root, 'test/fixtures/vectors/hashes.json'), 'utf8')) as unknown[];
  assert.ok(Array.isArray(vectors) && vectors.length >= 155, 'test/fixtures/vectors/hashes.json holds the 155 public vectors');
  for (const name of ['vectors/README.md', 'entra/README.md', 'entra/password-submit.request.json', 'entra/password-submit.context.plaintext.json']) {
    assert.ok(statSync(join(root, 'test/fixtures', name)).size > 0, name);
  }
});
