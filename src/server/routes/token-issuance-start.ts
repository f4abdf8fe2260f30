import { z } from 'zod';
import { tokenIssuanceStartResponseSchema } from '../../events/index.js';
import { handleTokenIssuanceStart } from '../../handlers/index.js';
import { eventRoutes } from './event-route.js';

/** `POST /events/token-issuance-start` (OnTokenIssuanceStart, a custom claims provider) and its `GET` probe. */
export const tokenIssuanceStartRoutes = eventRoutes({
  path: '/events/token-issuance-start',
  event: 'OnTokenIssuanceStart',
  responseSchema: z.toJSONSchema(tokenIssuanceStartResponseSchema, { target: 'draft-7' }),
  handle: handleTokenIssuanceStart,
});
