/** `tsx scripts/n8n-host/cli.ts install [1] [2]` pre-installs the n8n hosts (npm test does it first). */
import { ensureHost } from './install';
import type { HostLine } from './types';

async function main(args: string[]): Promise<void> {
	const [cmd, ...rest] = args;
	if (cmd !== 'install') {
		process.stderr.write('usage: tsx scripts/n8n-host/cli.ts install [1] [2]\n');
		process.exit(2);
	}
	for (const line of rest.length ? rest : ['1', '2']) {
		const h = await ensureHost(line as HostLine);
		process.stdout.write(`n8n ${h.version} (line ${h.line}) at ${h.dir}, node ${h.nodeBin}\n`);
	}
}

main(process.argv.slice(2)).catch((e) => {
	process.stderr.write(`${e?.stack ?? e}\n`);
	process.exit(1);
});
