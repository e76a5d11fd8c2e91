/** The queue-mode tier (`npm run test:queue`): real n8n main + workers with Redis and PostgreSQL. */
const base = require('./jest.config');

module.exports = {
	...base,
	roots: ['<rootDir>/test/queue'],
	testPathIgnorePatterns: ['/node_modules/'],
	testTimeout: 5 * 60 * 1000,
};
