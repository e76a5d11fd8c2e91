const { rmSync } = require('fs');

module.exports = async () => {
	if (process.env.BD_TEST_TMP) rmSync(process.env.BD_TEST_TMP, { recursive: true, force: true });
};
