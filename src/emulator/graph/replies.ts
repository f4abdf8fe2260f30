import type { FastifyReply } from 'fastify';
import { graphError } from './graph-error.js';

export const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export type Body = Record<string, unknown>;

/** A JSON object body, or `{}` for anything else (Graph then complains about the missing fields). */
export const bodyOf = (body: unknown): Body => (typeof body === 'object' && body !== null && !Array.isArray(body) ? (body as Body) : {});

/** Graph's 404 for an object id that names nothing. */
export const notFound = (reply: FastifyReply, id: string) =>
  reply.code(404).send(graphError('Request_ResourceNotFound', `Resource '${id.slice(0, 64)}' does not exist or one of its queried reference-property objects are not present.`));

/** Graph's 400 for a body it refuses, with its reason. */
export const badRequest = (reply: FastifyReply, message: string) => reply.code(400).send(graphError('Request_BadRequest', message));

/** A Graph collection answer: `{ "@odata.context", value }`. */
export const graphList = (context: string, value: unknown[], version: 'v1.0' | 'beta' = 'v1.0') => ({ '@odata.context': `https://graph.microsoft.com/${version}/$metadata#${context}`, value });
