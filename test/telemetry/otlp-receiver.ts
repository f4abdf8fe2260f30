import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync, inflateSync } from 'node:zlib';

/** One export request as it arrived: its path, its content type and its body (inflated when it came compressed). */
export interface ReceivedExport {
  path: string;
  contentType: string;
  body: Buffer;
}

/** A span from an http/json export, its attributes flattened to plain values. */
export interface ReceivedSpan {
  name: string;
  kind: number;
  traceId: string;
  spanId: string;
  parentSpanId: string;
  attributes: Record<string, string | number | boolean>;
  status: { code?: number; message?: string };
  resource: Record<string, string | number | boolean>;
}

/** A metric from an http/json export: its name, unit and each data point's attributes (sums, histograms). */
export interface ReceivedMetric {
  name: string;
  unit: string;
  points: Array<{ attributes: Record<string, string | number | boolean>; value?: number; count?: number; explicitBounds?: number[] }>;
}

export interface OtlpReceiver {
  /** `http://127.0.0.1:<port>`: what OTEL_EXPORTER_OTLP_ENDPOINT is set to. */
  url: string;
  exports: ReceivedExport[];
  /** Every byte received, bodies concatenated, for canary scans (protobuf strings are raw UTF-8, JSON's are text). */
  allBytes(): Buffer;
  /** The spans of every http/json trace export. */
  spans(): ReceivedSpan[];
  /** The metrics of every http/json metrics export. */
  metrics(): ReceivedMetric[];
  close(): Promise<void>;
}

/**
 * An OTLP/HTTP receiver stand-in on loopback: accepts POST /v1/traces and /v1/metrics (and /v1/logs) in http/json
 * or http/protobuf, keeps each body, answers 200 with an empty response of the same encoding (an empty protobuf
 * message is zero bytes; JSON's is `{}`). Anything else is 404.
 */
export async function startOtlpReceiver(): Promise<OtlpReceiver> {
  const exports: ReceivedExport[] = [];
  const server: Server = createServer(async (request, response) => {
    const body = await readBody(request);
    const path = request.url ?? '';
    const contentType = String(request.headers['content-type'] ?? '');
    if (request.method !== 'POST' || !['/v1/traces', '/v1/metrics', '/v1/logs'].includes(path)) {
      response.writeHead(404).end();
      return;
    }
    exports.push({ path, contentType, body });
    if (contentType.includes('json')) response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    else response.writeHead(200, { 'content-type': 'application/x-protobuf' }).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const json = (path: string) => exports.filter((entry) => entry.path === path && entry.contentType.includes('json')).map((entry) => JSON.parse(entry.body.toString('utf8')));
  return {
    url: `http://127.0.0.1:${port}`,
    exports,
    allBytes: () => Buffer.concat(exports.map((entry) => entry.body)),
    spans: () =>
      json('/v1/traces').flatMap((document: any) =>
        (document.resourceSpans ?? []).flatMap((resourceSpans: any) =>
          (resourceSpans.scopeSpans ?? []).flatMap((scopeSpans: any) =>
            (scopeSpans.spans ?? []).map((span: any) => ({
              name: span.name,
              kind: span.kind,
              traceId: span.traceId,
              spanId: span.spanId,
              parentSpanId: span.parentSpanId ?? '',
              attributes: flatten(span.attributes),
              status: span.status ?? {},
              resource: flatten(resourceSpans.resource?.attributes),
            })),
          ),
        ),
      ),
    metrics: () =>
      json('/v1/metrics').flatMap((document: any) =>
        (document.resourceMetrics ?? []).flatMap((resourceMetrics: any) =>
          (resourceMetrics.scopeMetrics ?? []).flatMap((scopeMetrics: any) =>
            (scopeMetrics.metrics ?? []).map((metric: any) => ({
              name: metric.name,
              unit: metric.unit ?? '',
              points: (metric.sum?.dataPoints ?? metric.histogram?.dataPoints ?? metric.gauge?.dataPoints ?? []).map((point: any) => ({
                attributes: flatten(point.attributes),
                ...(point.asInt !== undefined && { value: Number(point.asInt) }),
                ...(point.asDouble !== undefined && { value: Number(point.asDouble) }),
                ...(point.count !== undefined && { count: Number(point.count) }),
                ...(point.explicitBounds !== undefined && { explicitBounds: point.explicitBounds.map(Number) }),
              })),
            })),
          ),
        ),
      ),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

async function readBody(request: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  const raw = Buffer.concat(chunks);
  const encoding = String(request.headers['content-encoding'] ?? '');
  if (encoding === 'gzip') return gunzipSync(raw);
  if (encoding === 'deflate') return inflateSync(raw);
  return raw;
}

/** OTLP/JSON's `[{key, value: {stringValue | intValue | doubleValue | boolValue}}]` as a plain object. */
function flatten(attributes: any[] | undefined): Record<string, string | number | boolean> {
  const result: Record<string, string | number | boolean> = {};
  for (const { key, value } of attributes ?? []) {
    if (value?.stringValue !== undefined) result[key] = value.stringValue;
    else if (value?.intValue !== undefined) result[key] = Number(value.intValue);
    else if (value?.doubleValue !== undefined) result[key] = Number(value.doubleValue);
    else if (value?.boolValue !== undefined) result[key] = value.boolValue;
  }
  return result;
}
