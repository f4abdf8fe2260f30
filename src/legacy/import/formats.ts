import { auth0Format } from './auth0.js';
import { csvFormat } from './csv.js';
import { firebaseFormat } from './firebase.js';
import type { ImportFormat, ImportFormatId } from './format.js';
import { keycloakFormat } from './keycloak.js';

/** Every export format `legacy import --format` reads, by id. */
export const IMPORT_FORMATS: Readonly<Record<ImportFormatId, ImportFormat>> = {
  auth0: auth0Format,
  firebase: firebaseFormat,
  keycloak: keycloakFormat,
  csv: csvFormat,
};
