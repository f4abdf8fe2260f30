/**
 * The JWT restricted claim set: claims a claims mapping policy cannot emit or change ("Claims mapping policy type",
 * learn.microsoft.com/entra/identity-platform/reference-claims-mapping-policy-type; MicrosoftDocs/entra-docs
 * 35c328473a0648a42335d4da522d850801612543), kept in lower case. `.` and the prefixes `extn.` and `xms_` are
 * restricted too ({@link isRestrictedJwtClaim}). A custom claims provider's `roles` or `email` therefore reaches a
 * token only under another name.
 */
const RESTRICTED_JWT_CLAIMS: ReadonlySet<string> = new Set(
  [
    '_claim_names', '_claim_sources', 'aai', 'access_token', 'account_type', 'acct', 'acr', 'acrs', 'actor',
    'actortoken', 'ageGroup', 'aio', 'altsecid', 'amr', 'app_chain', 'app_displayname', 'app_res', 'appctx',
    'appctxsender', 'appid', 'appidacr', 'assertion', 'at_hash', 'aud', 'auth_data', 'auth_time', 'authorization_code',
    'azp', 'azpacr', 'bk_claim', 'bk_enclave', 'bk_pub', 'brk_client_id', 'brk_redirect_uri', 'c_hash', 'ca_enf',
    'ca_policy_result', 'capolids', 'capolids_latebind', 'cc', 'cert_token_use', 'child_client_id',
    'child_redirect_uri', 'client_id', 'client_ip', 'cloud_graph_host_name', 'cloud_instance_host_name',
    'cloud_instance_name', 'CloudAssignedMdmId', 'cnf', 'code', 'controls', 'controls_auds', 'credential_keys', 'csr',
    'csr_type', 'ctry', 'deviceid', 'dns_names', 'domain_dns_name', 'domain_netbios_name', 'e_exp', 'email',
    'endpoint', 'enfpolids', 'exp', 'expires_on', 'fido_auth_data', 'fido_ver', 'fwd', 'fwd_appidacr', 'grant_type',
    'graph', 'group_sids', 'groups', 'hasgroups', 'hash_alg', 'haswids', 'home_oid', 'home_puid', 'home_tid', 'iat',
    'identityprovider', 'idp', 'idtyp', 'in_corp', 'instance', 'inviteTicket', 'ipaddr', 'isbrowserhostedapp', 'iss',
    'isViral', 'jwk', 'key_id', 'key_type', 'login_hint', 'mam_compliance_url', 'mam_enrollment_url',
    'mam_terms_of_use_url', 'mdm_compliance_url', 'mdm_enrollment_url', 'mdm_terms_of_use_url', 'msgraph_host',
    'msproxy', 'nameid', 'nbf', 'netbios_name', 'nickname', 'nonce', 'oid', 'on_prem_id', 'onprem_sam_account_name',
    'onprem_sid', 'openid2_id', 'origin_header', 'password', 'platf', 'polids', 'pop_jwk', 'preferred_username',
    'previous_refresh_token', 'primary_sid', 'prov_data', 'puid', 'pwd_exp', 'pwd_url', 'rdp_bt', 'redirect_uri',
    'refresh_token', 'refresh_token_issued_on', 'refreshtoken', 'request_nonce', 'resource', 'rh', 'role', 'roles',
    'rp_id', 'rt_type', 'scope', 'scp', 'secaud', 'sid', 'signature', 'signin_state', 'source_anchor', 'src1', 'src2',
    'sub', 'target_deviceid', 'tbid', 'tbidv2', 'tenant_ctry', 'tenant_display_name', 'tenant_id',
    'tenant_region_scope', 'tenant_region_sub_scope', 'thumbnail_photo', 'tid', 'tokenAutologonEnabled',
    'trustedfordelegation', 'ttr', 'unique_name', 'upn', 'user_agent', 'user_setting_sync_url', 'username', 'uti',
    'ver', 'verified_primary_email', 'verified_secondary_email', 'vnet', 'vsm_binding_key', 'wamcompat_client_info',
    'wamcompat_id_token', 'wamcompat_scopes', 'wids', 'win_ver', 'x5c_ca', 'xcb2b_rclient', 'xcb2b_rcloud',
    'xcb2b_rtenant', 'ztdid',
  ].map((name) => name.toLowerCase()),
);

/** True when a claims mapping policy cannot emit `name` in a JWT: Entra silently leaves such a mapping out. */
export function isRestrictedJwtClaim(name: string): boolean {
  const lower = name.toLowerCase();
  return lower === '.' || RESTRICTED_JWT_CLAIMS.has(lower) || lower.startsWith('extn.') || lower.startsWith('xms_');
}

/**
 * The name a custom claims provider's claim is emitted under in tokens: its own, or `legacy_<name>` when its own is
 * a restricted claim (a legacy `roles` becomes `legacy_roles`: the token's own `roles` stays Entra's app roles).
 *
 * @example
 *   tokenClaimTypeFor('legacyId') // 'legacyId'
 *   tokenClaimTypeFor('roles')    // 'legacy_roles'
 */
export function tokenClaimTypeFor(claim: string): string {
  return isRestrictedJwtClaim(claim) ? `legacy_${claim}` : claim;
}
