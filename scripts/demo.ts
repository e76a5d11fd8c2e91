/**
 * `npm run demo`: the packed package inside a real n8n, deleting on local mock providers.
 *
 * Starts the five mock providers on 127.0.0.1, installs real n8n on first use (cached outside the
 * clone), installs the packed package as users install it, imports the demo credentials (pointing
 * at the mocks) and the demo workflow from examples/demo-cleanup.json, runs it with
 * `n8n execute`, and prints a table per provider. `--line 2` runs it on n8n 2.x.
 * `--write-example` regenerates examples/demo-cleanup.json from the cases below.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import type { IDataObject, INodeExecutionData, INodeParameters } from 'n8n-workflow';

import * as n8nHost from './n8n-host';
import { AvayaSpacesMock } from '../test/mocks/avayaSpaces';
import { HuaweiCloudSmsMock } from '../test/mocks/huaweiCloudSms';
import type { MockServer } from '../test/mocks/mockServer';
import { QUECTEL_TEST_ACCOUNT, QuectelMock } from '../test/mocks/quectel';
import { SolapiMock } from '../test/mocks/solapi';
import { WECHAT_TEST_APP, WeChatMock } from '../test/mocks/weChat';
import type { Branch } from '../test/e2e/workflow';
import { buildWorkflow } from '../test/e2e/workflow';

const ROOT = join(__dirname, '..');
const EXAMPLE = join(ROOT, 'examples', 'demo-cleanup.json');
const WORKFLOW_ID = 'demoNightlyClean';

const range = (prefix: string, from: number, to: number, width = 4) =>
	Array.from(
		{ length: to - from + 1 },
		(_, i) => `${prefix}${String(from + i).padStart(width, '0')}`,
	);

const HUAWEI_PROJECT = '0123456789abcdef0123456789abcdef';
const SOLAPI_GROUP = 'G4V20261122DEMO';

/** One provider in the demo: what its mock holds, and the branch of the workflow that cleans it. */
interface DemoCase {
	provider: string;
	label: string;
	/** The Code node's items (what "your data source" returned). */
	items: IDataObject[];
	parameters: INodeParameters;
	credential: { id: string; name: string; type: string; data: (mock: MockServer) => IDataObject };
	/** Starts the mock holding most of those IDs (a few are already gone, a few are protected). */
	mock: () => MockServer;
	deletePath: RegExp;
}

const CASES: DemoCase[] = [
	{
		provider: 'avayaSpaces',
		label: 'Avaya Spaces messages',
		items: [...range('5f1e00000000000000', 1, 250, 6), 'not a message id'].map((id) => ({ id })),
		parameters: { provider: 'avayaSpaces', idField: 'id', options: {} },
		credential: {
			id: 'demoAvayaSpaces0',
			name: 'Avaya Spaces (local mock)',
			type: 'avayaSpacesApi',
			data: (mock) => ({
				environment: 'custom',
				baseUrl: mock.baseUrl,
				scheme: 'jwt',
				token: 'good-jwt',
			}),
		},
		mock: () => {
			const ids = range('5f1e00000000000000', 1, 250, 6);
			const mock = new AvayaSpacesMock(ids.slice(0, 240));
			mock.add({ id: ids[10], forbidden: true }, { id: ids[20], archived: true });
			return mock;
		},
		deletePath: /deletemessages$/,
	},
	{
		provider: 'solapi',
		label: 'SOLAPI group messages',
		items: [{ id: range('M4V20261122DEMO', 1, 1500).join(',') }],
		parameters: { provider: 'solapi', solapiGroupId: SOLAPI_GROUP, idField: 'id', options: {} },
		credential: {
			id: 'demoSolapi000000',
			name: 'SOLAPI (local mock)',
			type: 'solapiApi',
			data: (mock) => ({
				apiKey: 'NCSTESTKEY0000001',
				apiSecret: 'test-api-secret-0123456789',
				baseUrl: mock.baseUrl,
			}),
		},
		mock: () => {
			const mock = new SolapiMock();
			mock.addGroup(SOLAPI_GROUP, ...range('M4V20261122DEMO', 1, 1490));
			return mock;
		},
		deletePath: /messages$|deleteMessages$/,
	},
	{
		provider: 'quectel',
		label: 'Quectel push messages',
		items: range('', 900001, 900180, 6).map((id) => ({ id })),
		parameters: {
			provider: 'quectel',
			quectelAuthentication: 'account',
			idField: 'id',
			options: {},
		},
		credential: {
			id: 'demoQuectel00000',
			name: 'Quectel account (local mock)',
			type: 'quectelAccountApi',
			data: (mock) => ({ region: 'custom', baseUrl: mock.baseUrl, ...QUECTEL_TEST_ACCOUNT }),
		},
		mock: () => new QuectelMock(range('', 900001, 900175, 6)),
		deletePath: /batchDeleteMsg$/,
	},
	{
		provider: 'weChatOfficialAccount',
		label: 'WeChat mass messages',
		items: [
			...range('', 1000000101, 1000000106, 10).map((msg_id) => ({ msg_id })),
			{ msg_id: '1000000107', article_idx: 2 },
		],
		parameters: { provider: 'weChatOfficialAccount', options: {} },
		credential: {
			id: 'demoWeChat000000',
			name: 'WeChat Official Account (local mock)',
			type: 'weChatOfficialAccountApi',
			data: (mock) => ({ ...WECHAT_TEST_APP, baseUrl: mock.baseUrl }),
		},
		mock: () =>
			new WeChatMock([
				...range('', 1000000101, 1000000105, 10),
				{ msgId: '1000000107', articles: 3 },
			]),
		deletePath: /mass\/delete$/,
	},
	{
		provider: 'huaweiCloudSms',
		label: 'Huawei Cloud SMS templates',
		items: [...range('a1b2c3d4-0000-4000-8000-', 1, 75, 12), `${'x'.repeat(70)}`].map((id) => ({
			id,
		})),
		// The SMS endpoint is the node's region; on import the demo sets it to "custom", which sends to
		// the credential's own Custom Endpoint URL (the mock).
		parameters: {
			provider: 'huaweiCloudSms',
			huaweiCloudAuthentication: 'iamToken',
			huaweiCloudRegion: 'cn-north-4',
			idField: 'id',
			options: {},
		},
		credential: {
			id: 'demoHuaweiIam000',
			name: 'Huawei Cloud IAM (local mock)',
			type: 'huaweiCloudIamApi',
			data: (mock) => ({
				iamRegion: 'custom',
				iamUrl: mock.baseUrl,
				endpointUrl: mock.baseUrl,
				domainName: 'example-account',
				userName: 'sms-admin',
				password: 'Correct-Horse-9',
				projectScope: 'id',
				project: HUAWEI_PROJECT,
			}),
		},
		mock: () => {
			const mock = new HuaweiCloudSmsMock();
			mock.addTemplates(HUAWEI_PROJECT, ...range('a1b2c3d4-0000-4000-8000-', 1, 72, 12));
			return mock;
		},
		deletePath: /batch-delete$/,
	},
];

function branches(): Branch[] {
	return CASES.map((c) => ({
		name: `Delete ${c.label}`,
		parameters: c.parameters,
		credentials: { [c.credential.type]: { id: c.credential.id, name: c.credential.name } },
		items: c.items,
	}));
}

function writeExample(): void {
	const workflow = buildWorkflow(
		WORKFLOW_ID,
		'Batch Delete demo: nightly cleanup on five providers',
		branches(),
	);
	writeFileSync(EXAMPLE, `${JSON.stringify(workflow, null, '\t')}\n`);
	process.stdout.write(`wrote ${EXAMPLE}\n`);
}

type Row = [string, string];

function table(title: string, rows: Row[]): string {
	const width = Math.max(...rows.map(([k]) => k.length));
	const value = Math.max(...rows.map(([, v]) => v.length));
	const line = `+${'-'.repeat(width + 2)}+${'-'.repeat(value + 2)}+`;
	return [
		`\n${title}`,
		line,
		...rows.map(([k, v]) => `| ${k.padEnd(width)} | ${v.padStart(value)} |`),
		line,
	].join('\n');
}

function countIds(c: DemoCase): number {
	return c.items.reduce(
		(sum, item) =>
			sum +
			String(item.id ?? item.msg_id ?? '')
				.split(',')
				.filter(Boolean).length,
		0,
	);
}

async function main(): Promise<void> {
	const args = process.argv.slice(2);
	if (args.includes('--write-example')) return writeExample();
	const line = args.includes('--line') ? args[args.indexOf('--line') + 1] : '1';
	if (line !== '1' && line !== '2') throw new Error('--line takes 1 or 2');

	const mocks = CASES.map((c) => c.mock());
	await Promise.all(mocks.map(async (m) => await m.start()));
	try {
		process.stderr.write(`Installing (first run only) and starting n8n ${line}.x ...\n`);
		const host = await n8nHost.ensureHost(line);
		const tarball = await n8nHost.packPackage(ROOT);
		const folder = await n8nHost.createUserFolder(host, { tarball });
		try {
			await n8nHost.importCredentials(
				folder,
				CASES.map((c, i) => ({
					id: c.credential.id,
					name: c.credential.name,
					type: c.credential.type,
					data: c.credential.data(mocks[i]),
				})),
			);
			const workflow = JSON.parse(readFileSync(EXAMPLE, 'utf8')) as IDataObject;
			for (const node of workflow.nodes as Array<{ parameters: IDataObject }>) {
				if (node.parameters.provider === 'huaweiCloudSms')
					Object.assign(node.parameters, { huaweiCloudRegion: 'custom' });
			}
			await n8nHost.importWorkflow(folder, workflow);
			const started = Date.now();
			const result = await n8nHost.executeWorkflow(folder, WORKFLOW_ID);
			if (!result.execution)
				throw new Error(`n8n printed no execution:\n${result.stderr.slice(-2000)}`);
			if (result.error)
				throw new Error(`The workflow failed: ${String((result.error as IDataObject).message)}`);
			process.stdout.write(
				`\nn8n ${host.version} ran "${String(workflow.name)}" in ${((Date.now() - started) / 1000).toFixed(1)} s (including n8n's start-up)\n`,
			);

			CASES.forEach((c, i) => {
				const node = `Delete ${c.label}`;
				const success = (n8nHost.outputOf(result.execution, node, 0) ?? []) as INodeExecutionData[];
				const failure = (n8nHost.outputOf(result.execution, node, 1) ?? []) as INodeExecutionData[];
				const count = (items: INodeExecutionData[], status: string) =>
					items.filter((x) => x.json.status === status).length;
				const reasons = new Map<string, number>();
				for (const item of failure) {
					const key = `${String(item.json.status)} (${String(item.json.code)})`;
					reasons.set(key, (reasons.get(key) ?? 0) + 1);
				}
				const runs = result.execution.data.resultData.runData[node] as Array<{
					executionTime: number;
				}>;
				const rows: Row[] = [
					['IDs sent in', String(countIds(c))],
					['deleted', String(count(success, 'deleted'))],
					['already gone', String(count(success, 'alreadyGone'))],
					...[...reasons].map(([reason, n]): Row => [`failed: ${reason}`, String(n)]),
					['requests made', String(mocks[i].requestsTo(c.deletePath).length)],
					['time in the node', `${runs[0].executionTime} ms`],
				];
				process.stdout.write(`${table(c.label, rows)}\n`);
			});
			process.stdout.write(
				`\nThe workflow is examples/demo-cleanup.json: import it into your n8n, point the credentials at your accounts, and swap the Code nodes for your data source.\n`,
			);
		} finally {
			await n8nHost.removeUserFolder(folder);
		}
	} finally {
		await Promise.all(mocks.map(async (m) => await m.close()));
	}
}

main().catch((error: Error) => {
	process.stderr.write(`demo failed: ${error.message}\n`);
	process.exit(1);
});
