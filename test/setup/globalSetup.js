// One temporary parent folder for the whole run; every test file's n8n user folder lives in it,
// and globalTeardown removes it, whatever way the workers end.
const { mkdtempSync } = require('fs');
const { tmpdir } = require('os');
const { join } = require('path');

module.exports = async () => {
	process.env.BD_TEST_TMP = mkdtempSync(join(tmpdir(), 'bd-test-'));
};
