/**
 * Jest's module resolution, with one exception for the test workspace's SDKs:
 * `@huaweicloud/huaweicloud-sdk-core` requires `uuid` without declaring it, and npm's linked
 * install (.npmrc) lets a package see only what it declares, so from inside that package `uuid`
 * resolves to the test workspace's own copy (test/package.json).
 */
const path = require('path');

const testDir = path.join(__dirname, '..');

module.exports = (request, options) => {
	if (request === 'uuid' && options.basedir.includes('huaweicloud-sdk-core'))
		return options.defaultResolver(request, { ...options, basedir: testDir });
	return options.defaultResolver(request, options);
};
