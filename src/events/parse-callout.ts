import type { z } from 'zod';
import { describeIssues } from './describe-issues.js';
import { EventError, EventErrorCode } from './errors.js';

/**
 * Validates a callout against its event's schema, then checks the tenant it names, the way
 * parsePasswordSubmitRequest does; every event but OnPasswordSubmit is read through it. Throws an
 * {@link EventError}: `REQUEST_INVALID` with the paths of the problems (never a value), or `TENANT_MISMATCH`.
 *
 * @example
 *   parseCallout(attributeCollectionStartRequestSchema, body, { tenantId }, 'OnAttributeCollectionStart')
 */
export function parseCallout<T extends z.ZodType<{ data: { tenantId?: string | null | undefined } }>>(
  schema: T,
  body: unknown,
  expected: { tenantId: string },
  eventName: string,
): z.infer<T> {
  const result = schema.safeParse(body);
  if (!result.success) {
    throw new EventError(EventErrorCode.REQUEST_INVALID, `The request is not a valid ${eventName} event.`, describeIssues(result.error));
  }
  const { tenantId } = result.data.data;
  // The caller token already proved the tenant; a payload naming another tenant is refused rather than trusted.
  if (tenantId && tenantId.toLowerCase() !== expected.tenantId.toLowerCase()) {
    throw new EventError(EventErrorCode.TENANT_MISMATCH, 'The event names a tenant this extension does not serve.', ['data.tenantId']);
  }
  return result.data;
}
