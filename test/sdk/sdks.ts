/**
 * The providers' official SDKs (dev dependencies of the test workspace, never of the package),
 * loaded for offline comparisons: each test stubs the SDK's HTTP layer, so nothing leaves the
 * machine.
 */

/** A minimal view of what the tests use of `@huaweicloud/huaweicloud-sdk-core`. */
export interface HuaweiSigningRequest {
	/** The URL without its query: the signer reads the path from it. */
	endpoint: string;
	method: string;
	headers: Record<string, string>;
	queryParams?: Record<string, string | string[]>;
	/** The JSON body as an object: the SDK hashes `JSON.stringify(data)`. */
	data?: unknown;
}

export interface HuaweiSdk {
	AKSKSigner: {
		sign(request: HuaweiSigningRequest, credential: unknown): Record<string, string>;
	};
	BasicCredentials: new () => {
		withAk(ak: string): { withSk(sk: string): { withProjectId(id: string): unknown } };
	};
	/** `@huaweicloud/huaweicloud-sdk-iam/v3/public-api` (models and `IamClient`). */
	iam: Record<string, any>;
	HcClient: new (
		httpClient: unknown,
		options: unknown,
	) => {
		withEndpoints(endpoints: string[]): unknown;
	};
}

let huawei: HuaweiSdk | undefined;

/**
 * `@huaweicloud/huaweicloud-sdk-core` requires `uuid` without declaring it: jest's resolver
 * (test/setup/resolver.js) gives it the test workspace's copy. The IAM package's main entry fails
 * to load (it requires './GlobalCredentials,BasicCredentials'), so its `v3/public-api` entry is
 * loaded instead.
 */
export function huaweiSdk(): HuaweiSdk {
	if (huawei !== undefined) return huawei;
	/* eslint-disable @typescript-eslint/no-require-imports */
	const core = require('@huaweicloud/huaweicloud-sdk-core');
	const iam = require('@huaweicloud/huaweicloud-sdk-iam/v3/public-api');
	const { AKSKSigner } = require('@huaweicloud/huaweicloud-sdk-core/auth/AKSKSigner');
	const { HcClient } = require('@huaweicloud/huaweicloud-sdk-core/HcClient');
	/* eslint-enable @typescript-eslint/no-require-imports */
	huawei = { AKSKSigner, BasicCredentials: core.BasicCredentials, iam, HcClient };
	return huawei;
}

/** The installed version of a test-workspace package, for test names and docs. */
export function sdkVersion(name: string): string {
	// eslint-disable-next-line @typescript-eslint/no-require-imports
	return (require(`${name}/package.json`) as { version: string }).version;
}
