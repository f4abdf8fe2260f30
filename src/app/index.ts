export { openExtension, type Extension, type ExtensionOptions } from './open-extension.js';
export { readKeySources } from './read-key-sources.js';
export { readMessages } from './read-messages.js';
