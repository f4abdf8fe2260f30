import type { z } from 'zod';
import { describeIssues } from '../describe-issues.js';
import { EventError, EventErrorCode } from '../errors.js';

/**
 * Validates an attribute collection callout against its schema, then checks the tenant it names, the way
 * parsePasswordSubmitRequest does. Throws an {@link EventError}: `REQUEST_INVALID` with the paths of the problems
 * (never a value), or `TENANT_MISMATCH`.
 *
 * @example
 *   parseSignUpCallout(attributeCollectionStartRequestSchema, body, { tenantId }, 'OnAttributeCollectionStart')
 */
export function parseSignUpCallout<T extends z.ZodType<{ data: { tenantId?: string | null | undefined } }>>(
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
