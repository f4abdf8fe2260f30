export const FLOW_TYPE = '#microsoft.graph.externalUsersSelfServiceSignUpEventsFlow';
export const COLLECTION_TYPE = '#microsoft.graph.onAttributeCollectionExternalUsersSelfServiceSignUp';

/** A sign-up flow as the admin center creates one: e-mail (hidden) and a shown display name, linked to `appId`. */
export const signUpFlow = (displayName: string, appId: string) => ({
  '@odata.type': FLOW_TYPE,
  displayName,
  onInteractiveAuthFlowStart: { '@odata.type': '#microsoft.graph.onInteractiveAuthFlowStartExternalUsersSelfServiceSignUp', isSignUpAllowed: true },
  onAuthenticationMethodLoadStart: { '@odata.type': '#microsoft.graph.onAuthenticationMethodLoadStartExternalUsersSelfServiceSignUp', identityProviders: [{ id: 'EmailPassword-OAUTH' }] },
  onAttributeCollection: {
    '@odata.type': COLLECTION_TYPE,
    attributes: [{ id: 'email' }, { id: 'displayName' }],
    attributeCollectionPage: {
      views: [{
        title: null,
        description: null,
        inputs: [
          { attribute: 'email', label: 'Email Address', inputType: 'text', hidden: true, editable: false, writeToDirectory: true, required: true },
          { attribute: 'displayName', label: 'Your name', inputType: 'text', hidden: false, editable: true, writeToDirectory: true, required: true },
        ],
      }],
    },
  },
  conditions: { applications: { includeApplications: [{ appId }] } },
});
