import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** How the stand-in answers one event: a JSON body (200, application/json), a raw reply, or after a delay. */
export type StandInAnswer =
  | { kind: 'json'; body: unknown }
  | { kind: 'raw'; status: number; contentType: string; body: string }
  | { kind: 'slow'; delayInMs: number; body: unknown };

export interface AttributeCollectionStandIn {
  /** `{url}/start` and `{url}/submit`. */
  url: string;
  answers: { start: StandInAnswer; submit: StandInAnswer };
  /** Every request received, per event: the bearer token and the parsed body. */
  readonly received: { start: Array<{ authorization: string | undefined; body: any }>; submit: Array<{ authorization: string | undefined; body: any }> };
  close(): Promise<void>;
}

export const startResponse = (...actions: object[]) => ({ data: { '@odata.type': 'microsoft.graph.onAttributeCollectionStartResponseData', actions } });
export const submitResponse = (...actions: object[]) => ({ data: { '@odata.type': 'microsoft.graph.onAttributeCollectionSubmitResponseData', actions } });
export const startAction = (name: string, fields: object = {}) => ({ '@odata.type': `microsoft.graph.attributeCollectionStart.${name}`, ...fields });
export const submitAction = (name: string, fields: object = {}) => ({ '@odata.type': `microsoft.graph.attributeCollectionSubmit.${name}`, ...fields });

/**
 * An OnAttributeCollectionStart/Submit extension for the emulator's tests, on node:http (independent of the
 * project's own extension): records what Entra sent and answers as the test says.
 */
export async function startAttributeCollectionStandIn(): Promise<AttributeCollectionStandIn> {
  const standIn: AttributeCollectionStandIn = {
    url: '',
    answers: { start: { kind: 'json', body: startResponse(startAction('continueWithDefaultBehavior')) }, submit: { kind: 'json', body: submitResponse(submitAction('continueWithDefaultBehavior')) } },
    received: { start: [], submit: [] },
    close: async () => undefined,
  };
  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const event = request.url === '/start' ? 'start' : request.url === '/submit' ? 'submit' : undefined;
      if (!event || request.method !== 'POST') {
        response.writeHead(404).end();
        return;
      }
      standIn.received[event].push({ authorization: request.headers.authorization, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) });
      const answer = standIn.answers[event];
      const send = (body: unknown) => response.writeHead(200, { 'content-type': 'application/json; charset=utf-8' }).end(JSON.stringify(body));
      if (answer.kind === 'json') send(answer.body);
      else if (answer.kind === 'raw') response.writeHead(answer.status, { 'content-type': answer.contentType }).end(answer.body);
      else {
        const timer = setTimeout(() => {
          if (!response.destroyed) send(answer.body);
        }, answer.delayInMs);
        response.on('close', () => clearTimeout(timer));
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  standIn.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  standIn.close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return standIn;
}
