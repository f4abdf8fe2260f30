import type { TenantObjects } from '../tenant-objects.js';

/** Whether a value may be stored in a directory extension property of each data type (null removes a value). */
const VALUE_FITS: Record<string, (value: unknown) => boolean> = {
  Boolean: (value) => typeof value === 'boolean',
  // Graph: String values up to 256 characters; Binary up to 256 bytes, sent as base64.
  String: (value) => typeof value === 'string' && value.length <= 256,
  Binary: (value) => typeof value === 'string' && /^[A-Za-z0-9+/]*={0,2}$/.test(value) && Buffer.from(value, 'base64').length <= 256,
  Integer: (value) => Number.isInteger(value) && Math.abs(value as number) <= 2 ** 31,
  LargeInteger: (value) => Number.isSafeInteger(value),
  DateTime: (value) => typeof value === 'string' && !Number.isNaN(Date.parse(value)),
};

/**
 * Graph's check of the directory extension attributes in a user body (POST or PATCH): each
 * `extension_<appIdWithoutHyphens>_<name>` must be an extension property, targeting users, of an application of the
 * tenant (the b2c-extensions-app in External ID), and its value of the property's type. Returns Graph's 400
 * message, or the attributes under their defined names (Graph matches the names case-insensitively).
 *
 * The wording for a missing property is Graph's answer to `POST /users` as reported in
 * Azure-Samples/ms-identity-dotnetcore-b2c-account-management#17 ("The following extension properties are not
 * available: …"); the one for a value of the wrong type is Graph's general form for an invalid property value — its
 * exact text for extension properties is not documented.
 *
 * @example
 *   const checked = checkExtensionAttributes(objects, body);
 *   if ('problem' in checked) return reply.code(400).send(graphError('Request_BadRequest', checked.problem));
 */
export function checkExtensionAttributes(objects: TenantObjects, body: Record<string, unknown>): { problem: string } | { attributes: Record<string, unknown> } {
  const names = Object.keys(body).filter((key) => key.toLowerCase().startsWith('extension_'));
  if (names.length === 0) return { attributes: {} };
  const defined = objects.userExtensionProperties();
  const missing = names.filter((name) => !defined.has(name.toLowerCase()));
  if (missing.length > 0) return { problem: `The following extension properties are not available: ${missing.join(', ')}.` };
  const attributes: Record<string, unknown> = {};
  for (const name of names) {
    const { attributeName, property } = defined.get(name.toLowerCase())!;
    const value = body[name];
    if (value !== null && !(VALUE_FITS[property.dataType] ?? (() => false))(value)) return { problem: `Invalid value specified for property '${name}' of resource 'User'.` };
    attributes[attributeName] = value;
  }
  return { attributes };
}
