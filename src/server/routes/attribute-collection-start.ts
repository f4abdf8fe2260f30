import { z } from 'zod';
import { attributeCollectionStartResponseSchema } from '../../events/index.js';
import { handleAttributeCollectionStart } from '../../handlers/index.js';
import { attributeCollectionRoutes } from './attribute-collection-route.js';

/**
 * `POST /events/attribute-collection-start` (the OnAttributeCollectionStart callout) and its `GET` probe. The
 * response schema is derived from the protocol schema: the allow-list of fields we may send Entra.
 */
export const attributeCollectionStartRoutes = attributeCollectionRoutes(
  '/events/attribute-collection-start',
  'OnAttributeCollectionStart',
  z.toJSONSchema(attributeCollectionStartResponseSchema, { target: 'draft-7' }),
  handleAttributeCollectionStart,
);
