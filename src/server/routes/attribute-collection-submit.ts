import { z } from 'zod';
import { attributeCollectionSubmitResponseSchema } from '../../events/index.js';
import { handleAttributeCollectionSubmit } from '../../handlers/index.js';
import { eventRoutes } from './event-route.js';

/**
 * `POST /events/attribute-collection-submit` (the OnAttributeCollectionSubmit callout) and its `GET` probe. The
 * response schema is derived from the protocol schema: the allow-list of fields we may send Entra.
 */
export const attributeCollectionSubmitRoutes = eventRoutes({
  path: '/events/attribute-collection-submit',
  event: 'OnAttributeCollectionSubmit',
  responseSchema: z.toJSONSchema(attributeCollectionSubmitResponseSchema, { target: 'draft-7' }),
  handle: handleAttributeCollectionSubmit,
});
