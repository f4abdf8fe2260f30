/** The custom authentication extension events, by the names Microsoft's pages give them. */
export const EVENT_NAMES = ['OnPasswordSubmit', 'OnAttributeCollectionStart', 'OnAttributeCollectionSubmit', 'OnTokenIssuanceStart', 'OnOtpSend'] as const;
export type EventName = (typeof EVENT_NAMES)[number];
