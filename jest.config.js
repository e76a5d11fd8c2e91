/** Unit and in-engine integration tests (ts-jest). The real-n8n tier lives in test/e2e; the queue-mode
 * tier (test/queue, Redis + PostgreSQL + workers) has its own config, jest.queue.config.js. */
module.exports = {
	// tsconfig.json is the build's (nodes/ and credentials/ only); tsconfig.dev.json adds the tests and jest's types.
	transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.dev.json' }] },
	testEnvironment: 'node',
	roots: ['<rootDir>/test'],
	testMatch: ['**/*.test.ts'],
	testPathIgnorePatterns: ['/node_modules/', '<rootDir>/test/queue/'],
	setupFiles: ['<rootDir>/test/setup/env.ts'],
	resolver: '<rootDir>/test/setup/resolver.js',
	globalSetup: '<rootDir>/test/setup/globalSetup.js',
	globalTeardown: '<rootDir>/test/setup/globalTeardown.js',
	testTimeout: 30000,
};
