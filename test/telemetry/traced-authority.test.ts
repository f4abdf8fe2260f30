import assert from 'node:assert/strict';
import { test } from 'node:test';
import { context, SpanStatusCode, trace } from '@opentelemetry/api';
import { node, tracing } from '@opentelemetry/sdk-node';
import { EntraMigrateError } from '../../src/common/errors.js';
import type { LegacyAuthority, LegacyCheck } from '../../src/legacy/index.js';
import { inCalloutSpan, LEGACY_CHECK_SPAN, withCheckSpans } from '../../src/telemetry/index.js';
import { CANARY_PASSWORDS } from '../support/canaries.js';

const USERNAME = 'ada.span-canary@contoso.example';

function tracerWithMemory() {
  const exporter = new tracing.InMemorySpanExporter();
  const provider = new tracing.BasicTracerProvider({ spanProcessors: [new tracing.SimpleSpanProcessor(exporter)] });
  return { tracer: provider.getTracer('test'), spans: () => exporter.getFinishedSpans() };
}

/** An authority answering `answers` in turn (an Error is thrown), its other members marked so a test sees they are kept. */
function scripted(answers: Array<LegacyCheck | Error>): LegacyAuthority & { pinged: number } {
  const authority = {
    kind: 'postgres',
    pinged: 0,
    async checkPassword() {
      const next = answers.shift()!;
      if (next instanceof Error) throw next;
      return next;
    },
    async ping() {
      authority.pinged++;
    },
    async close() {},
  };
  return authority;
}

const attempt = { username: USERNAME, email: USERNAME, objectId: '00aa00aa-bb11-cc22-dd33-44ee44ee44ee', password: CANARY_PASSWORDS.correct };
const options = { abortSignal: new AbortController().signal, deadlineAt: Date.now() + 1000 };

test('each check is a span with its outcome and the store kind; a throw is status ERROR with the code only, and rethrown', async () => {
  const { tracer, spans } = tracerWithMemory();
  const inner = scripted([
    { outcome: 'correct', legacyId: '1', mustChangePassword: false },
    { outcome: 'wrong', legacyId: '1' },
    { outcome: 'unknown' },
    { outcome: 'blocked', legacyId: '1', status: 'locked' },
    new EntraMigrateError('LEGACY_STORE_TIMEOUT', 'The legacy store did not answer in time.', { detail: `timed out looking up ${USERNAME}` }),
  ]);
  const traced = withCheckSpans(inner, tracer);
  for (let i = 0; i < 4; i++) await traced.checkPassword(attempt, options);
  await assert.rejects(traced.checkPassword(attempt, options), (error: unknown) => error instanceof EntraMigrateError && error.code === 'LEGACY_STORE_TIMEOUT');

  const finished = spans();
  assert.deepEqual(finished.map((span) => span.name), Array(5).fill(LEGACY_CHECK_SPAN));
  assert.deepEqual(finished.map((span) => span.attributes['entra_migrate.legacy.outcome']), ['correct', 'wrong', 'unknown', 'blocked', 'error']);
  assert.ok(finished.every((span) => span.attributes['entra_migrate.legacy.store'] === 'postgres'));
  assert.deepEqual(finished[4]!.status, { code: SpanStatusCode.ERROR, message: 'LEGACY_STORE_TIMEOUT' });
  assert.equal(finished[4]!.events.length, 0, 'no exception event: its message could quote the user');
  const everything = JSON.stringify(finished.map((span) => ({ attributes: span.attributes, status: span.status, events: span.events, name: span.name })));
  assert.ok(!everything.includes(USERNAME) && !everything.includes(CANARY_PASSWORDS.correct), 'neither the user nor the password is in any span');

  // Everything but checkPassword is the authority's own.
  assert.equal(traced.kind, 'postgres');
  await traced.ping();
  assert.equal(inner.pinged, 1);
});

test('inCalloutSpan: without a span it only runs the work; with one, the check made inside is its child', async () => {
  assert.equal(inCalloutSpan({ calloutSpan: undefined }, () => 42), 42);
  // The Node provider registers the AsyncLocalStorage context manager, as startTelemetry's SDK does.
  const exporter = new tracing.InMemorySpanExporter();
  const provider = new node.NodeTracerProvider({ spanProcessors: [new tracing.SimpleSpanProcessor(exporter)] });
  provider.register();
  try {
    const tracer = provider.getTracer('test');
    const parent = tracer.startSpan('OnPasswordSubmit');
    const traced = withCheckSpans(scripted([{ outcome: 'unknown' }]), tracer);
    await inCalloutSpan({ calloutSpan: parent }, async () => {
      await new Promise((resolve) => setTimeout(resolve, 5)); // the check starts after an await, as the handler's does
      return traced.checkPassword(attempt, options);
    });
    parent.end();
    const [check, server] = exporter.getFinishedSpans();
    assert.equal(check?.name, LEGACY_CHECK_SPAN);
    assert.equal(check?.parentSpanContext?.spanId, server?.spanContext().spanId);
    assert.equal(check?.spanContext().traceId, server?.spanContext().traceId);
  } finally {
    await provider.shutdown();
    trace.disable();
    context.disable();
  }
});
