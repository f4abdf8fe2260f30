import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';

// The image's rules, read from the Dockerfile itself: no container builder is needed to check them, and each rule is
// also run against a Dockerfile that breaks it, so a check that could never fail would show.

const REPO = fileURLToPath(new URL('../../', import.meta.url));
const DOCKERFILE = readFileSync(`${REPO}Dockerfile`, 'utf8');
const DOCKERIGNORE = readFileSync(`${REPO}.dockerignore`, 'utf8');

interface Instruction {
  keyword: string;
  args: string;
  line: number;
}
interface Stage {
  image: string;
  name: string | undefined;
  instructions: Instruction[];
}

/** Instructions as Docker reads them: comments and blank lines dropped, `\` continuations joined. */
function parseDockerfile(text: string): Instruction[] {
  const instructions: Instruction[] = [];
  let pending = '';
  let startLine = 0;
  text.split('\n').forEach((raw, index) => {
    const line = raw.trim();
    if (pending === '' && (line === '' || line.startsWith('#'))) return;
    if (pending !== '' && line.startsWith('#')) return; // a comment inside a continued instruction
    if (pending === '') startLine = index + 1;
    if (line.endsWith('\\')) {
      pending += `${line.slice(0, -1)} `;
      return;
    }
    const whole = (pending + line).trim();
    pending = '';
    const match = /^(\S+)\s*(.*)$/s.exec(whole);
    if (match) instructions.push({ keyword: match[1]!.toUpperCase(), args: match[2]!.trim(), line: startLine });
  });
  if (pending !== '') throw new Error(`the Dockerfile ends inside a continued instruction (line ${startLine})`);
  return instructions;
}

function stagesOf(instructions: Instruction[]): Stage[] {
  const stages: Stage[] = [];
  for (const instruction of instructions) {
    if (instruction.keyword === 'FROM') {
      const [image = '', as, name] = instruction.args.replace(/--platform=\S+\s+/, '').split(/\s+/);
      stages.push({ image, name: as?.toUpperCase() === 'AS' ? name : undefined, instructions: [] });
    } else if (stages.length > 0) {
      stages.at(-1)!.instructions.push(instruction);
    } else if (instruction.keyword !== 'ARG') {
      throw new Error(`${instruction.keyword} on line ${instruction.line} comes before any FROM`);
    }
  }
  return stages;
}

/** An exec-form argument list (`["node", "x"]`), or undefined for the shell form. */
function execForm(args: string): string[] | undefined {
  if (!args.startsWith('[')) return undefined;
  const parsed: unknown = JSON.parse(args);
  return Array.isArray(parsed) && parsed.every((item) => typeof item === 'string') ? parsed : undefined;
}

/** Packages that compile things: they belong in the build stage only. */
const BUILD_TOOLS = /\b(python3?|make|g\+\+|gcc|build-essential|node-gyp|git|curl|wget)\b/;
/** What the final stage may take from the build stage: the launcher, compiled code, production modules, the manifest. */
const RUNTIME_PATHS = new Set(['/app/package.json', '/app/node_modules', '/app/dist', '/app/bin']);
const FINAL_BASES = [/^node:20(\.\d+)*-(bookworm|bullseye)-slim(@sha256:[0-9a-f]{64})?$/, /^gcr\.io\/distroless\/nodejs20-debian1[12](:[\w.-]+)?(@sha256:[0-9a-f]{64})?$/];

/** Every rule the image breaks, one line each; [] when it keeps them all. */
function dockerfileProblems(text: string): string[] {
  const problems: string[] = [];
  const stages = stagesOf(parseDockerfile(text));
  if (stages.length < 2) return [`${stages.length} stage(s): the image must be built in one stage and run from another`];
  const final = stages.at(-1)!;
  const builds = stages.slice(0, -1);
  const inFinal = (keyword: string) => final.instructions.filter((instruction) => instruction.keyword === keyword);

  if (!FINAL_BASES.some((base) => base.test(final.image))) problems.push(`final base image ${final.image} is not Node 20 slim or distroless`);

  const user = inFinal('USER').at(-1)?.args;
  if (user === undefined) problems.push('the final stage runs as root: no USER');
  else if (/^(root|0)(:|$)/.test(user)) problems.push(`the final stage runs as ${user}`);

  const healthchecks = inFinal('HEALTHCHECK');
  if (healthchecks.length !== 1) problems.push(`${healthchecks.length} HEALTHCHECK instructions in the final stage; one is wanted`);
  for (const { args } of healthchecks) {
    const command = args.replace(/^(--\S+\s+)*CMD\s+/, '');
    if (!/\/healthz\b/.test(command)) problems.push('the HEALTHCHECK does not ask /healthz');
    if (/\b(curl|wget)\b/.test(command)) problems.push('the HEALTHCHECK uses a tool the slim image does not have (curl/wget)');
    if (execForm(command)?.[0] !== 'node') problems.push('the HEALTHCHECK is not node in exec form');
  }

  for (const { args, line } of inFinal('RUN')) {
    if (BUILD_TOOLS.test(args) && /\b(apt-get|apt|apk)\b/.test(args)) problems.push(`line ${line}: the final stage installs build tools`);
    if (/\bnpm\s+(ci|install|i)\b/.test(args) && !/--omit=dev\b/.test(args)) problems.push(`line ${line}: the final stage installs dev dependencies`);
  }
  for (const { args, line } of inFinal('COPY')) {
    const from = /--from=(\S+)/.exec(args)?.[1];
    const paths = args.replace(/--\S+/g, '').trim().split(/\s+/);
    const sources = paths.slice(0, -1);
    if (from === undefined) problems.push(`line ${line}: the final stage copies ${sources.join(' ')} from the build context, not from the build stage`);
    for (const source of sources) if (from !== undefined && !RUNTIME_PATHS.has(source)) problems.push(`line ${line}: the final stage copies ${source}, which the program does not need at run time`);
  }
  const copiesModules = inFinal('COPY').some(({ args }) => /\/app\/node_modules\b/.test(args));
  if (copiesModules) {
    // node_modules must be pruned to production dependencies after the build and before the final stage copies it.
    const runs = builds.flatMap((stage) => stage.instructions).filter(({ keyword }) => keyword === 'RUN').map(({ args }) => args);
    const built = runs.findIndex((args) => /\bnpm run build\b/.test(args));
    const pruned = runs.findLastIndex((args) => /\bnpm\s+(prune|ci)\b[^&;]*--omit=dev\b/.test(args));
    if (built === -1) problems.push('no build stage runs `npm run build`');
    if (pruned === -1 || pruned < built) problems.push('node_modules is not pruned to production dependencies after the build (`npm prune --omit=dev`)');
  }

  // `npm ci` runs the package's `prepare` (tsc) unless told not to; before the source is copied that fails.
  for (const stage of builds) {
    const copiedSourceAt = stage.instructions.findIndex(({ keyword, args }) => keyword === 'COPY' && /^(\S+\s+)*src\b/.test(args));
    stage.instructions.forEach(({ keyword, args, line }, index) => {
      if (keyword === 'RUN' && /\bnpm ci\b/.test(args) && (copiedSourceAt === -1 || index < copiedSourceAt) && !/--ignore-scripts\b/.test(args)) {
        problems.push(`line ${line}: npm ci before src/ is copied runs prepare (tsc), which fails; add --ignore-scripts`);
      }
    });
  }

  const entrypoint = inFinal('ENTRYPOINT').at(-1);
  const cmd = inFinal('CMD').at(-1);
  if (JSON.stringify(entrypoint && execForm(entrypoint.args)) !== JSON.stringify(['node', 'bin/entra-migrate.js'])) {
    problems.push('the entry point is not ["node", "bin/entra-migrate.js"] in exec form (the shell form would take SIGTERM for itself)');
  }
  if (JSON.stringify(cmd && execForm(cmd.args)) !== JSON.stringify(['serve'])) problems.push('the default command is not ["serve"]');
  if (inFinal('STOPSIGNAL').at(-1)?.args !== 'SIGTERM') problems.push('STOPSIGNAL is not SIGTERM, the signal serve drains on');
  if (!inFinal('EXPOSE').some(({ args }) => args.split(/\s+/).includes('7071'))) problems.push('port 7071 (PORT\'s default) is not exposed');
  if (!inFinal('ENV').some(({ args }) => /\bNODE_ENV=production\b/.test(args))) problems.push('NODE_ENV=production is not set');
  return problems;
}

/** The .dockerignore patterns, as written (comments and blank lines dropped, a trailing / removed). */
const ignored = (text: string) => new Set(text.split('\n').map((line) => line.trim()).filter((line) => line !== '' && !line.startsWith('#')).map((line) => line.replace(/^\/|\/$/g, '')));

describe('Dockerfile', () => {
  test('keeps every rule: two stages, Node 20 slim, non-root, /healthz without curl, production only, node bin/entra-migrate.js serve', () => {
    assert.deepEqual(dockerfileProblems(DOCKERFILE), []);
  });

  test('the final stage is node:20-bookworm-slim run as the image\'s node user', () => {
    const final = stagesOf(parseDockerfile(DOCKERFILE)).at(-1)!;
    assert.equal(final.image, 'node:20-bookworm-slim');
    assert.equal(final.instructions.filter(({ keyword }) => keyword === 'USER').at(-1)?.args, 'node');
  });

  test('the health check is a command node can run: it exits 0 on a 200 from /healthz and 1 otherwise', async () => {
    const healthcheck = stagesOf(parseDockerfile(DOCKERFILE)).at(-1)!.instructions.find(({ keyword }) => keyword === 'HEALTHCHECK')!;
    const [node, flag, script] = execForm(healthcheck.args.replace(/^(--\S+\s+)*CMD\s+/, ''))!;
    assert.deepEqual([node, flag], ['node', '-e']);
    const { createServer } = await import('node:http');
    const { spawn } = await import('node:child_process');
    const run = (port: number) =>
      new Promise<number | null>((resolve) => {
        const child = spawn(process.execPath, ['-e', script!], { env: { PATH: process.env.PATH ?? '', PORT: String(port) }, stdio: 'ignore' });
        child.on('close', resolve);
      });
    let status = 200;
    const server = createServer((request, response) => response.writeHead(request.url === '/healthz' ? status : 404).end());
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as { port: number };
    try {
      assert.equal(await run(port), 0);
      status = 503;
      assert.equal(await run(port), 1);
    } finally {
      server.close();
    }
    assert.equal(await run(port), 1, 'nothing listening: unhealthy');
  });

  test('everything the build stage copies from the context exists and is not in .dockerignore', () => {
    const patterns = ignored(DOCKERIGNORE);
    const sources = stagesOf(parseDockerfile(DOCKERFILE))
      .slice(0, -1)
      .flatMap((stage) => stage.instructions)
      .filter(({ keyword, args }) => keyword === 'COPY' && !args.includes('--from='))
      .flatMap(({ args }) => args.split(/\s+/).slice(0, -1));
    assert.ok(sources.includes('src') && sources.includes('package-lock.json'), sources.join(' '));
    for (const source of sources) {
      assert.ok(existsSync(`${REPO}${source}`), `${source} does not exist`);
      assert.ok(!patterns.has(source), `${source} is copied but .dockerignore leaves it out of the context`);
    }
  });

  describe('each rule fails a Dockerfile that breaks it', () => {
    const broken = (from: string | RegExp, to: string) => {
      const text = DOCKERFILE.replace(from, to);
      assert.notEqual(text, DOCKERFILE, `the Dockerfile no longer contains ${String(from)}`);
      return dockerfileProblems(text);
    };
    const cases: Array<[string, string | RegExp, string, RegExp]> = [
      ['one stage', /^FROM node:20-bookworm-slim AS runtime\n/m, '', /1 stage\(s\)/],
      ['Node 22 at run time', 'FROM node:20-bookworm-slim AS runtime', 'FROM node:22-bookworm-slim AS runtime', /not Node 20 slim/],
      ['the full image at run time', 'FROM node:20-bookworm-slim AS runtime', 'FROM node:20-bookworm AS runtime', /not Node 20 slim/],
      ['no USER', /^USER node\n/m, '', /runs as root/],
      ['USER root', /^USER node$/m, 'USER root', /runs as root/],
      ['USER 0:0', /^USER node$/m, 'USER 0:0', /runs as 0:0/],
      ['curl in the health check', /CMD \["node", "-e", .*\]$/m, 'CMD curl -f http://127.0.0.1:7071/healthz || exit 1', /curl\/wget/],
      ['a health check on /readyz', "+ '/healthz'", "+ '/readyz'", /does not ask \/healthz/],
      ['build tools in the final stage', 'RUN mkdir -p /app/data', 'RUN apt-get update && apt-get install -y python3 make g++ && mkdir -p /app/data', /installs build tools/],
      ['dev dependencies in the final stage', 'RUN mkdir -p /app/data', 'RUN npm ci && mkdir -p /app/data', /installs dev dependencies/],
      ['no prune', / \\\n && npm prune --omit=dev --ignore-scripts --no-audit --no-fund/, '', /not pruned/],
      ['the source in the final stage', 'COPY --from=build /app/bin ./bin', 'COPY --from=build /app/src ./src', /copies \/app\/src/],
      ['the whole context in the final stage', 'COPY --from=build /app/bin ./bin', 'COPY . .', /from the build context/],
      ['npm ci running prepare before src/ exists', 'npm ci --ignore-scripts --no-audit', 'npm ci --no-audit', /runs prepare/],
      ['a shell-form entry point', 'ENTRYPOINT ["node", "bin/entra-migrate.js"]', 'ENTRYPOINT node bin/entra-migrate.js', /entry point/],
      ['another default command', 'CMD ["serve"]', 'CMD ["demo"]', /default command/],
      ['SIGKILL to stop', 'STOPSIGNAL SIGTERM', 'STOPSIGNAL SIGKILL', /STOPSIGNAL/],
    ];
    for (const [name, from, to, problem] of cases) {
      test(name, () => {
        const problems = broken(from, to);
        assert.ok(problems.some((line) => problem.test(line)), `expected ${problem} among ${JSON.stringify(problems)}`);
      });
    }

    test('malformed: an instruction continued past the end, an exec form that is not JSON', () => {
      assert.throws(() => dockerfileProblems(`${DOCKERFILE}\nRUN echo \\`), /ends inside a continued instruction/);
      assert.throws(() => dockerfileProblems(DOCKERFILE.replace('CMD ["serve"]', 'CMD ["serve"')), SyntaxError);
      assert.throws(() => dockerfileProblems(`EXPOSE 1\n${DOCKERFILE}`), /before any FROM/);
    });
  });
});

describe('.dockerignore', () => {
  test('leaves out node_modules, dist, .git, test, tmp, local settings and keys', () => {
    const patterns = ignored(DOCKERIGNORE);
    for (const pattern of ['node_modules', 'dist', '.git', 'test', 'tmp', 'data', '.env', '*.pem']) assert.ok(patterns.has(pattern), `${pattern} is not in .dockerignore`);
  });
});
