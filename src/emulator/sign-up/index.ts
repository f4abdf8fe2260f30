export { callAttributeCollectionStart, callAttributeCollectionSubmit, type AttributeCalloutResult } from './attribute-collection-callout.js';
export { ATTRIBUTE_COLLECTION_EVENTS, attributeCollectionRequest, type SignUpContext } from './attribute-collection-requests.js';
export { DEFAULT_BLOCK_MESSAGE, parseStartAnswer, parseSubmitAnswer, type StartAction, type SubmitAction } from './attribute-collection-responses.js';
export { signUpRoutes } from './sign-up-routes.js';
export { createSignUpService, SIGN_UP_TEXTS, type PageAttribute, type SignUpOutcome, type SignUpService } from './sign-up-service.js';
export { BUILT_IN_ATTRIBUTES, checkSignUpSettings, signUpFlowOf, type CustomAttributeSettings, type FlowAttribute, type SignUpFlow, type SignUpSettings } from './user-flow.js';
