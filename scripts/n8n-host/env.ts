/** The environments n8n and npm run with: clean of the caller's settings, quiet and offline. */

/** The node's type in a workflow: the package name, then the node's name. */
export const BATCH_DELETE_TYPE = 'n8n-nodes-batch-delete.batchDelete';

/** Fixed encryption key for every test instance (credentials are encrypted with it on import). */
export const TEST_ENCRYPTION_KEY = 'n8n-nodes-batch-delete-e2e-test-encryption-key';

/** Variables that would change how n8n or npm behave (NODE_ENV=test from jest makes n8n refuse to load nodes). */
const DROPPED = [
	/^N8N_/,
	/^DB_/,
	/^EXECUTIONS_/,
	/^QUEUE_/,
	/^GENERIC_TIMEZONE$/,
	/^WEBHOOK_URL$/,
	/^VUE_APP_/,
	/^NODE_ENV$/,
	/^NODE_OPTIONS$/,
	/^NODE_PATH$/,
	/^NODE_FUNCTION_ALLOW_/,
	/^JEST_WORKER_ID$/,
	/^npm_(package|lifecycle)_/,
	/^npm_config_(local_prefix|prefix|global_prefix|global|nodedir|ignore_scripts|omit|include|only|production|dry_run|workspaces?|save.*|package_lock.*|before|install_strategy)$/i,
	/^npm_(execpath|node_execpath|command)$/,
	/^INIT_CWD$/,
];

/** The process environment minus everything in DROPPED. */
export function cleanBaseEnv(env: NodeJS.ProcessEnv): Record<string, string> {
	const out: Record<string, string> = {};
	for (const [k, v] of Object.entries(env)) {
		if (v === undefined) continue;
		if (DROPPED.some((re) => re.test(k))) continue;
		out[k] = v;
	}
	return out;
}

/**
 * Environment that makes n8n run quietly and offline. Per-folder and per-run values
 * (N8N_USER_FOLDER, N8N_RUNNERS_BROKER_PORT, N8N_PORT) are added later.
 */
export function n8nQuietEnv(): Record<string, string> {
	return {
		N8N_ENCRYPTION_KEY: TEST_ENCRYPTION_KEY,
		DB_TYPE: 'sqlite',
		N8N_ENFORCE_SETTINGS_FILE_PERMISSIONS: 'false',
		// no telemetry / phoning home
		N8N_DIAGNOSTICS_ENABLED: 'false',
		N8N_DIAGNOSTICS_CONFIG_FRONTEND: '',
		N8N_DIAGNOSTICS_CONFIG_BACKEND: '',
		N8N_VERSION_NOTIFICATIONS_ENABLED: 'false',
		N8N_VERSION_NOTIFICATIONS_WHATS_NEW_ENABLED: 'false',
		N8N_PERSONALIZATION_ENABLED: 'false',
		N8N_TEMPLATES_ENABLED: 'false',
		N8N_HIRING_BANNER_ENABLED: 'false',
		N8N_DYNAMIC_BANNERS_ENABLED: 'false',
		N8N_LICENSE_AUTO_RENEW_ENABLED: 'false',
		N8N_AI_ENABLED: 'false',
		N8N_SENTRY_DSN: '',
		N8N_FRONTEND_SENTRY_DSN: '',
		// community packages: load what is in ~/.n8n/nodes, never fetch or reinstall anything
		N8N_VERIFIED_PACKAGES_ENABLED: 'false',
		N8N_REINSTALL_MISSING_PACKAGES: 'false',
		// tests talk to mock servers on 127.0.0.1 (2.x has an opt-in SSRF guard; keep it off)
		N8N_SSRF_PROTECTION_ENABLED: 'false',
		N8N_RUNNERS_BROKER_LISTEN_ADDRESS: '127.0.0.1',
		N8N_LISTEN_ADDRESS: '127.0.0.1',
		N8N_LOG_OUTPUT: 'console',
		N8N_LOG_LEVEL: 'warn',
		N8N_LOG_FORMAT: 'text',
		N8N_PUBLIC_API_SWAGGERUI_DISABLED: 'true',
		GENERIC_TIMEZONE: 'UTC',
		TZ: 'UTC',
		NO_COLOR: '1',
		DO_NOT_TRACK: '1',
	};
}

/** Environment for npm commands (clean of the npm_* a parent `npm run` leaks). */
export function npmEnv(extra: Record<string, string> = {}): Record<string, string> {
	return {
		...cleanBaseEnv(process.env),
		npm_config_audit: 'false',
		npm_config_fund: 'false',
		npm_config_update_notifier: 'false',
		SCARF_ANALYTICS: 'false',
		DO_NOT_TRACK: '1',
		DISABLE_OPENCOLLECTIVE: '1',
		ADBLOCK: '1',
		...extra,
	};
}
