import { z } from 'zod';
import { attributeCollectionStartResponseSchema } from '../../events/index.js';
import { handleAttributeCollectionStart } from '../../handlers/index.js';
import { eventRoutes } from './event-route.js';

/**
 * `POST /events/attribute-collection-start` (the OnAttributeCollectionStart callout) and its `GET` probe. The
 * response schema is derived from the protocol schema: the allow-list of fields we may send Entra.
 */
export const attributeCollectionStartRoutes = eventRoutes({
  path: '/events/attribute-collection-start',
  event: 'OnAttributeCollectionStart',
  responseSchema: z.toJSONSchema(attributeCollectionStartResponseSchema, { target: 'draft-7' }),
  handle: handleAttributeCollectionStart,
});
