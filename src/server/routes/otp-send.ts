import { z } from 'zod';
import { otpSendResponseSchema } from '../../events/index.js';
import { handleOtpSend } from '../../handlers/index.js';
import { eventRoutes } from './event-route.js';

/** `POST /events/otp-send` (the e-mail one-time passcode send event) and its `GET` probe. */
export const otpSendRoutes = eventRoutes({
  path: '/events/otp-send',
  event: 'OnOtpSend',
  responseSchema: z.toJSONSchema(otpSendResponseSchema, { target: 'draft-7' }),
  handle: handleOtpSend,
});
