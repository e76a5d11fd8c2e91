/** Avaya Spaces API hosts: the one definition the credentials and the node share. */
export const AVAYA_SPACES_HOSTS: Record<string, string> = {
	production: 'https://spacesapis.avayacloud.com',
	staging: 'https://loganstagingapis.esna.com',
};

/** The base URL as an n8n expression over the credential (for `authenticate`/`test`). */
export const avayaBaseUrlExpression = `={{$credentials.environment === "custom" ? $credentials.baseUrl.replace(/\\/+$/, "") : $credentials.environment === "staging" ? "${AVAYA_SPACES_HOSTS.staging}" : "${AVAYA_SPACES_HOSTS.production}"}}`;
