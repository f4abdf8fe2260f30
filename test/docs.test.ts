import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, test } from 'node:test';
import type { Command } from 'commander';
import { FUNCTION_ROUTES } from '../src/azure-functions/function-routes.js';
import { buildProgram } from '../src/cli/main.js';
import { loadGraphAccessConfig, loadPremigrateConfig, loadServeConfig } from '../src/config/index.js';
import { loadReconcileConfig } from '../src/config/reconcile-config.js';
import { loadDashboardConfig } from '../src/dashboard/dashboard-config.js';
import { loadTelemetryConfig } from '../src/telemetry/index.js';
import { DEFAULT_FORMATS } from '../src/legacy/hashes/index.js';
import { settingsReadBy } from './config/settings-read.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const DOCS = join(ROOT, 'docs');
/** README.md and every page under docs/, by path relative to the repository. */
const PAGES = new Map([join(ROOT, 'README.md'), ...readdirSync(DOCS).filter((name) => name.endsWith('.md')).map((name) => join(DOCS, name))].map((path) => [relative(ROOT, path), readFileSync(path, 'utf8')]));
const page = (path: string) => PAGES.get(path) ?? assert.fail(`${path} is missing`);
/** The top-level commands, which an inline code span may start with (`` `setup --dry-run` ``). */
const COMMANDS = buildProgram(() => undefined).commands.map((command) => command.name());

/** Every setting serve, premigrate, reconcile, the Graph commands and the dashboard read. */
function settingsReadByCommands(): Set<string> {
  return new Set([
    ...settingsReadBy(loadServeConfig),
    ...settingsReadBy((raw) => loadPremigrateConfig(raw)),
    ...settingsReadBy((raw) => loadReconcileConfig(raw)),
    ...settingsReadBy(loadGraphAccessConfig),
    ...settingsReadBy(loadDashboardConfig),
    ...settingsReadBy(loadTelemetryConfig),
  ]);
}

describe('the docs pages say what the code does', () => {
  test('docs/hashes.md lists every hash scheme the code knows', () => {
    for (const format of DEFAULT_FORMATS) assert.ok(page('docs/hashes.md').includes(`\`${format.id}\``), `docs/hashes.md does not mention \`${format.id}\``);
  });

  test('docs/settings.md documents every setting serve, premigrate, reconcile, the Graph commands and the dashboard read', () => {
    const read = settingsReadByCommands();
    assert.ok(read.size > 20, 'the probe finds the settings');
    for (const setting of read) assert.ok(page('docs/settings.md').includes(`\`${setting}\``), `docs/settings.md does not document \`${setting}\``);
  });

  test('every setting docs/settings.md lists in a table is one the code reads', () => {
    const read = settingsReadByCommands();
    const listed = page('docs/settings.md')
      .split('\n')
      .filter((line) => line.startsWith('| `'))
      .flatMap((line) => [...line.split('|')[1]!.matchAll(/`([A-Z][A-Z0-9_]+)`/g)].map((match) => match[1]!));
    assert.ok(listed.length > 20);
    for (const setting of listed) assert.ok(read.has(setting), `docs/settings.md lists \`${setting}\`, which no command reads`);
  });

  test('docs/deploying.md names every function the Azure Functions adapter registers, on its path', () => {
    const deploying = page('docs/deploying.md');
    for (const { name, route } of FUNCTION_ROUTES) {
      assert.ok(deploying.includes(name) && deploying.includes(`/${route}`), `docs/deploying.md does not name ${name} on /${route}`);
    }
  });
});

describe('the README stays short', () => {
  const readme = page('README.md');
  const words = readme.replace(/\s+/g, ' ');

  test('the quick start is exactly the two set-up commands', () => {
    const quickStart = /## Quick start\n+```sh\n([\s\S]*?)```/.exec(readme)?.[1] ?? assert.fail('no quick start block');
    assert.deepEqual(quickStart.trim().split('\n').map((line) => line.replace(/#.*$/, '').trim()), ['npm install && npm start', 'npm install && npm test']);
  });

  test('it says what the database tests need and what happens without them', () => {
    for (const fact of ['PostgreSQL', 'MariaDB', '127.0.0.1', '`test`', '`postgres`', 'trust', '`root`', 'empty password', 'skipped', 'CI']) assert.ok(words.includes(fact), fact);
  });

  test('it links every docs page, and every link in the docs leads somewhere', () => {
    for (const name of readdirSync(DOCS).filter((file) => file.endsWith('.md'))) assert.ok(readme.includes(`](docs/${name})`), `README.md does not link docs/${name}`);
    for (const [path, text] of PAGES) {
      for (const [, target] of text.matchAll(/\]\(([^)\s]+)\)/g)) {
        if (/^[a-z]+:/.test(target!)) continue;
        const [file, anchor] = target!.split('#') as [string, string | undefined];
        const linked = file === '' ? join(ROOT, path) : resolve(dirname(join(ROOT, path)), file);
        assert.ok(existsSync(linked), `${path} links ${target}, which does not exist`);
        if (anchor) assert.ok(headingAnchors(readFileSync(linked, 'utf8')).includes(anchor), `${path} links ${target}: no such heading`);
      }
    }
  });
});

describe('every command line in README.md and docs/ runs: its command and options are in --help', () => {
  const program = buildProgram(() => undefined);
  const commandLines = [...PAGES].flatMap(([path, text]) => commandLinesIn(text).map((line) => ({ path, line })));

  test('the pages name command lines (the extraction works)', () => {
    assert.ok(commandLines.length > 20, `${commandLines.length} found`);
    assert.ok(commandLines.some(({ line }) => line.startsWith('setup ') && line.includes('--write-env')));
  });

  for (const { path, line } of commandLines) {
    test(`${path}: entra-migrate ${line}`, () => {
      const tokens = line.split(/\s+/).filter(Boolean);
      let command: Command = program;
      while (tokens.length > 0 && !tokens[0]!.startsWith('-')) {
        const sub = command.commands.find((candidate) => candidate.name() === tokens[0]);
        if (!sub) break; // an argument, not a command
        command = sub;
        tokens.shift();
      }
      const help = command.helpInformation();
      for (const option of tokens.filter((token) => token.startsWith('--')).map((token) => token.replace(/=.*$/, ''))) {
        assert.match(help, new RegExp(`^ +(?:-\\w, )?${option}\\b`, 'm'), `\`entra-migrate ${command.name()} --help\` has no ${option}`);
      }
    });
  }
});

/**
 * The `entra-migrate …` command lines a page shows, without the program name: in shell blocks (continuation lines
 * joined, up to a pipe, `&&`, `;` or a comment) and in inline code spans, which may also start at the command
 * (`` `setup --dry-run` ``).
 */
function commandLinesIn(text: string): string[] {
  const lines: string[] = [];
  const add = (segment: string) => {
    // Placeholders (<app id>) first, so their > is not taken for a redirection.
    const words = segment.replace(/<[^<>\n]*>/g, 'X').replace(/\s#.*$/, '').split(/\s*(?:\||&&|;|>)\s*/)[0]!.replace(/\s+/g, ' ').trim();
    if (words) lines.push(words);
  };
  for (const [, block] of text.matchAll(/```(?:sh|bash)?\n([\s\S]*?)```/g)) {
    for (const line of block!.replace(/\\\n\s*/g, ' ').split('\n')) for (const [, rest] of line.matchAll(/entra-migrate\s+([^\n]*)/g)) add(rest!);
  }
  const prose = text.replace(/```[\s\S]*?```/g, '');
  for (const [, span] of prose.matchAll(/`([^`\n]+)`/g)) {
    const start = /(?:^|\s)entra-migrate\s+(.*)$/.exec(span!)?.[1] ?? (COMMANDS.includes(span!.split(' ')[0]!) ? span : undefined);
    if (start !== undefined && / --?[a-z]/.test(` ${start}`)) add(start);
  }
  return [...new Set(lines)];
}

/** The anchors GitHub gives a page's headings: lower case, punctuation dropped, blanks as hyphens. */
function headingAnchors(markdown: string): string[] {
  return [...markdown.matchAll(/^#{1,6} (.+)$/gm)].map(([, heading]) => heading!.toLowerCase().replace(/[^\p{L}\p{N} _-]/gu, '').replace(/ /g, '-'));
}
