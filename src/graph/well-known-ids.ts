/** Microsoft Graph's application id: the resource of Graph's application permissions, in every tenant. */
export const MICROSOFT_GRAPH_APP_ID = '00000003-0000-0000-c000-000000000000';

/** The app role id of Graph's `CustomAuthenticationExtension.Receive.Payload` application permission. */
export const RECEIVE_PAYLOAD_ROLE_ID = '214e810f-fda8-4fd7-a475-29461495eb00';

/** The app role id of Graph's `User.ReadWrite.All` application permission. */
export const USER_READ_WRITE_ALL_ROLE_ID = '741f803b-c850-494e-b5df-cde7c675a1ca';
