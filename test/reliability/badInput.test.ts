import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

import type { IDataObject, INodeParameters } from 'n8n-workflow';

import type { CredentialInstance } from '../harness';
import type { BatchDeleteRun } from '../support/runBatchDelete';
import { runBatchDelete } from '../support/runBatchDelete';
import type { ProviderAdapter, ProviderEnv } from './providers';
import { avaya, huawei, quectel, solapi, weChat } from './providers';

/**
 * The bad-input catalogue: everything a user can get wrong, what each gets (a message that names
 * the item or the option and the fix), and proof that nothing is sent for it. The table of what
 * the node really answered is written to $TABLES_DIR/bad-input.md (`npm run tables` writes docs/), never into the tree by `npm test`.
 */

type Outcome =
	/** The node stops with this error before sending anything at all. */
	| { kind: 'error'; message: RegExp; description?: RegExp }
	/** The bad value becomes a Failure item (`invalid`, or `NO_ID` with continue on fail); the good
	 * IDs in the same run are still deleted; nothing carrying the bad value is sent. */
	| { kind: 'invalid'; id: string | null; message: RegExp; item: number };

interface BadInput {
	input: string;
	adapter: ProviderAdapter;
	/** Items for the run; `good` are existing IDs that must still be deleted when the run goes on. */
	items(good: string[], env: ProviderEnv): IDataObject[];
	extra?: INodeParameters;
	options?: INodeParameters;
	credentials?(env: ProviderEnv): CredentialInstance[];
	continueOnFail?: boolean;
	outcome: Outcome;
}

const long = (n: number, c = 'a') => c.repeat(n);

const CASES: BadInput[] = [
	{
		input: 'item without the ID field',
		adapter: avaya,
		items: (good) => [{ id: good[0] }, { other: 1 }],
		outcome: {
			kind: 'error',
			message:
				/^Item 1 has no ID in field "id": set "(Message|Template) ID Field" to the field holding the IDs/,
		},
	},
	{
		input: 'item without the ID field, "On Error: Continue"',
		adapter: avaya,
		items: (good) => [{ id: good }, { other: 1 }],
		continueOnFail: true,
		outcome: { kind: 'invalid', id: null, item: 1, message: /^Item 1 has no ID in field "id"/ },
	},
	{
		input: 'empty string',
		adapter: solapi,
		items: (good) => [{ id: good }, { id: '' }],
		outcome: { kind: 'error', message: /^Item 1 has no ID in field "id"/ },
	},
	{
		input: 'only whitespace and separators',
		adapter: quectel,
		items: (good) => [{ msgId: good }, { msgId: ' ,\n ' }],
		outcome: { kind: 'error', message: /^Item 1 has no ID in field "msgId"/ },
	},
	{
		input: 'null',
		adapter: huawei,
		items: (good) => [{ id: null }, { id: good }],
		outcome: { kind: 'error', message: /^Item 0 has no ID in field "id"/ },
	},
	{
		input: 'empty list',
		adapter: avaya,
		items: (good) => [{ id: good }, { id: [] }],
		outcome: { kind: 'error', message: /^Item 1 has no ID/ },
	},
	{
		input: 'an object instead of an ID',
		adapter: avaya,
		items: (good) => [{ id: [...good, { messageId: 'x1' }] }],
		outcome: {
			kind: 'invalid',
			id: '{"messageId":"x1"}',
			item: 0,
			message: /^Item 0: an object, not an ID: point the ID field at the value inside it/,
		},
	},
	{
		input: 'nested lists',
		adapter: solapi,
		items: (good) => [{ id: [...good, ['M4Va', 'M4Vb']] }],
		outcome: {
			kind: 'invalid',
			id: '["M4Va","M4Vb"]',
			item: 0,
			message: /^Item 0: a nested list, not an ID: flatten the list first/,
		},
	},
	{
		input: 'true or false',
		adapter: huawei,
		items: (good) => [{ id: good }, { id: [true] }],
		outcome: { kind: 'invalid', id: 'true', item: 1, message: /^Item 1: a boolean, not an ID/ },
	},
	{
		input: 'NaN or Infinity',
		adapter: avaya,
		items: (good) => [{ id: [...good, Number.POSITIVE_INFINITY] }],
		outcome: { kind: 'invalid', id: 'Infinity', item: 0, message: /^Item 0: not a finite number/ },
	},
	{
		input: 'a JSON number above 2^53 (rounded by parsing)',
		adapter: quectel,
		items: (good) => [{ msgId: [...good, JSON.parse('12345678901234567891') as number] }],
		outcome: {
			kind: 'invalid',
			id: '12345678901234567000',
			item: 0,
			message: /^Item 0: a JSON number above 2\^53 .* pass IDs as strings/,
		},
	},
	{
		input: 'whitespace inside an ID',
		adapter: avaya,
		items: (good) => [{ id: [...good, 'has space'] }],
		outcome: {
			kind: 'invalid',
			id: 'has space',
			item: 0,
			message: /whitespace or control characters, so not an Avaya Spaces message ID/,
		},
	},
	{
		input: "ID over the provider's length (Avaya Spaces: 128)",
		adapter: avaya,
		items: (good) => [{ id: [...good, long(129)] }],
		outcome: {
			kind: 'invalid',
			id: long(129),
			item: 0,
			message: /^Item 0: Longer than 128 characters, so not an Avaya Spaces message ID/,
		},
	},
	{
		input: "ID over the provider's length (SOLAPI: 128)",
		adapter: solapi,
		items: (good) => [{ id: [...good, long(129, 'M')] }],
		outcome: {
			kind: 'invalid',
			id: long(129, 'M'),
			item: 0,
			message: /^Item 0: Longer than 128 characters, so not a SOLAPI message ID/,
		},
	},
	{
		input: "ID over the provider's length (Huawei Cloud: 64)",
		adapter: huawei,
		items: (good) => [{ id: [...good, long(65, 't')] }],
		outcome: {
			kind: 'invalid',
			id: long(65, 't'),
			item: 0,
			message: /^Item 0: Longer than 64 characters, so not a Huawei Cloud SMS template ID/,
		},
	},
	{
		input: "ID over the provider's length (Quectel: 64 once URL-encoded)",
		adapter: quectel,
		items: (good) => [{ msgId: [...good, '消息'.repeat(11)] }],
		outcome: {
			kind: 'invalid',
			id: '消息'.repeat(11),
			item: 0,
			message: /^Item 0: Longer than 64 characters once URL-encoded, so not a Quectel message ID/,
		},
	},
	{
		input: 'msg_id over 20 digits (WeChat)',
		adapter: weChat,
		items: (good) => [...good.map((msg_id) => ({ msg_id })), { msg_id: '1'.repeat(21) }],
		outcome: {
			kind: 'invalid',
			id: '1'.repeat(21),
			item: 2,
			message: /^Item 2: Longer than 20 digits, so not a WeChat msg_id/,
		},
	},
	{
		input: 'a comma inside one Quectel ID (list element)',
		adapter: quectel,
		items: (good) => [{ msgId: [...good, '171801,171802'] }],
		outcome: {
			kind: 'invalid',
			id: '171801,171802',
			item: 0,
			message: /^Item 0: Contains a comma, which separates IDs in Quectel's msgIdList/,
		},
	},
	{
		input: 'neither a msg_id nor an article URL (WeChat)',
		adapter: weChat,
		items: (good) => [...good.map((msg_id) => ({ msg_id })), { msg_id: 'abc' }],
		outcome: {
			kind: 'invalid',
			id: 'abc',
			item: 2,
			message: /^Item 2: Neither a numeric msg_id nor an article URL/,
		},
	},
	{
		input: 'article_idx that is not a position (WeChat)',
		adapter: weChat,
		items: (good) => [
			...good.map((msg_id) => ({ msg_id })),
			{ msg_id: '123456', article_idx: 'first' },
		],
		outcome: {
			kind: 'invalid',
			id: '123456',
			item: 2,
			message:
				/^Item 2: article_idx first is not 0 \(whole message\) or the position of an article/,
		},
	},
	{
		input: 'more IDs than Max IDs per Run',
		adapter: avaya,
		items: (good) => [{ id: [...good, 'av-a', 'av-b', 'av-c', 'av-d'] }],
		options: { maxIds: 5 },
		outcome: {
			kind: 'error',
			message: /^The input names 6 IDs, more than Max IDs per Run \(5\)$/,
			description: /^Nothing was sent\. Split the input .* or raise "Max IDs per Run" in Options/,
		},
	},
	{
		input: 'more IDs than the default Max IDs per Run (100,000)',
		adapter: solapi,
		items: (good) => [
			{ id: good },
			{ id: Array.from({ length: 100_000 }, (_, i) => `M4VBULK${i}`) },
		],
		outcome: {
			kind: 'error',
			message: /^The input names 100,002 IDs, more than Max IDs per Run \(100,000\)$/,
		},
	},
	{
		input: "Batch Size over the provider's maximum",
		adapter: huawei,
		items: (good) => [{ id: good }],
		options: { batchSize: 51 },
		outcome: { kind: 'error', message: /^Batch Size must be at most 50 for Huawei Cloud SMS$/ },
	},
	{
		input: 'Batch Size 0, fractional Concurrency',
		adapter: quectel,
		items: (good) => [{ msgId: good }],
		options: { batchSize: 0, concurrency: 1.5 },
		outcome: {
			kind: 'error',
			message: /^Batch Size must be at least 1; Concurrency must be a whole number$/,
		},
	},
	{
		input: 'an Options expression that differs per item (Dry Run for one item)',
		adapter: solapi,
		items: (good) => [
			{ id: good[0], preview: false },
			{ id: good.slice(1), preview: true },
		],
		options: { dryRun: '={{ $json.preview }}' },
		outcome: {
			kind: 'error',
			message:
				/^Options hold for the whole run, but dryRun resolves differently for item 0 and item 1\. Nothing was sent\./,
		},
	},
	{
		input: 'negative Retry Delay, Max Retries over 10',
		adapter: solapi,
		items: (good) => [{ id: good }],
		options: { retryDelay: -1, maxRetries: 11 },
		outcome: {
			kind: 'error',
			message: /^Max Retries must be at most 10; Retry Delay cannot be negative$/,
		},
	},
	{
		input: 'an "IDs" expression that fails',
		adapter: avaya,
		items: () => [{ data: {} }],
		extra: { idSource: 'list', ids: "={{ $('No Such Node').item.json.id }}" },
		outcome: {
			kind: 'error',
			message:
				/^Item 0: could not read the IDs: Referenced node doesn't exist\. Fix the "IDs" expression/,
		},
	},
	{
		input: 'an "IDs" expression with a syntax error',
		adapter: solapi,
		items: () => [{ data: {} }],
		extra: { idSource: 'list', ids: '={{ $json.ids.map( }}' },
		outcome: {
			kind: 'error',
			message: /^Item 0: could not read the IDs: invalid syntax\. Fix the "IDs" expression/,
		},
	},
	{
		input: 'an "ID Field" expression that returns nothing',
		adapter: avaya,
		items: () => [{ data: {} }],
		extra: { idField: '={{ $json.data.field }}' },
		outcome: {
			kind: 'error',
			message:
				/^Item 0 has no ID because "(Message|Template) ID Field" is empty: set "(Message|Template) ID Field"/,
		},
	},
	{
		input: '"ID Field" given the ID itself instead of the field name',
		adapter: avaya,
		items: (good) => [{ id: good[0] }],
		extra: { idField: '={{ $json.id }}' },
		outcome: {
			kind: 'error',
			message:
				/^Item 0 has no ID in field "av\d+x0": set "(Message|Template) ID Field" to the field holding the IDs .* or use "IDs From: List"/,
		},
	},
	{
		input: 'a credential of the wrong type',
		adapter: avaya,
		items: (good) => [{ id: good }],
		credentials: () => [
			{
				id: 's',
				name: 'SOLAPI',
				type: 'solapiApi',
				data: { apiKey: 'NCSTESTKEY0000001', apiSecret: 'test-api-secret-0123456789' },
			},
		],
		outcome: {
			kind: 'error',
			message:
				/^Avaya Spaces needs a credential of type "Access Token \(JWT or Bearer\)": Node does not have any credentials set for "avayaSpacesApi"$/,
			description:
				/Select or create a credential of that type under "Credential to connect with" \(Authentication: Access Token \(JWT or Bearer\)\)/,
		},
	},
	{
		input: 'Authentication set to one credential kind, the other attached',
		adapter: avaya,
		items: (good) => [{ id: good }],
		extra: { avayaSpacesAuthentication: 'oAuth2' },
		outcome: {
			kind: 'error',
			message: /^Avaya Spaces needs a credential of type "OAuth2"/,
			description: /or change Authentication to match the credential you have/,
		},
	},
	{
		input: 'empty Group ID (SOLAPI)',
		adapter: solapi,
		items: (good) => [{ id: good }],
		extra: { solapiGroupId: '  ' },
		outcome: {
			kind: 'error',
			message:
				/^Group ID is required: enter the ID of the SOLAPI group the messages were added to$/,
		},
	},
	{
		input: 'Group ID with a slash (SOLAPI)',
		adapter: solapi,
		items: (good) => [{ id: good }],
		extra: { solapiGroupId: 'G4V/../x' },
		outcome: { kind: 'error', message: /^Group ID may only hold letters, digits, "-" and "_"/ },
	},
	{
		input: 'IAM credential naming the project by name, no Project ID (Huawei Cloud)',
		adapter: huawei,
		items: (good) => [{ id: good }],
		credentials: (env) =>
			env
				.credentials()
				.map((c) => ({ ...c, data: { ...c.data, projectScope: 'name', project: 'cn-north-4' } })),
		outcome: {
			kind: 'error',
			message: /^Project ID is required: the Huawei Cloud IAM credential names its project by name/,
		},
	},
	{
		input: 'custom Endpoint URL that is not a URL (Huawei Cloud)',
		adapter: huawei,
		items: (good) => [{ id: good }],
		extra: { huaweiCloudEndpoint: 'msgsms.example.com' },
		outcome: { kind: 'error', message: /^Endpoint URL is not a URL/ },
	},
];

interface Row {
	input: string;
	provider: string;
	gets: string;
}
const rows: Row[] = [];

const describeResult = (result: BatchDeleteRun, outcome: Outcome): string => {
	if (outcome.kind === 'error') {
		const description = (result.error as { description?: string } | undefined)?.description;
		return `node error: "${result.error?.message ?? ''}"${description ? ` (${description})` : ''}`;
	}
	const item = result.failure.find((i) =>
		outcome.id === null ? i.json.id === null : i.json.id === outcome.id,
	);
	return `Failure item \`${String(item?.json.status)}\`/\`${String(item?.json.code)}\`: "${String(item?.json.message)}"; the other IDs run`;
};

async function runCase(c: BadInput, env: ProviderEnv, good: string[]): Promise<BatchDeleteRun> {
	const credentials = c.credentials?.(env) ?? env.credentials();
	return await runBatchDelete({
		parameters: env.parameters(c.options, c.extra),
		items: c.items(good, env),
		credentials,
		continueOnFail: c.continueOnFail,
	});
}

describe('bad-input catalogue', () => {
	it.each(CASES.map((c): [string, string, BadInput] => [c.adapter.name, c.input, c]))(
		'%s: %s',
		async (_provider, _input, c) => {
			const env = await c.adapter.start();
			try {
				const good = env.seed(2);
				const result = await runCase(c, env, good);
				const outcome = c.outcome;
				const deletes = env.mock.requestsTo(env.deletePath);
				if (outcome.kind === 'error') {
					expect(result.error?.message).toMatch(outcome.message);
					if (outcome.description)
						expect((result.error as { description?: string } | undefined)?.description).toMatch(
							outcome.description,
						);
					// Nothing at all: no delete, no login, no token fetch.
					expect(env.mock.requests).toHaveLength(0);
					expect(good.some((id) => env.isGone(env.keyOf(id)))).toBe(false);
				} else {
					expect(result.error).toBeUndefined();
					const item = result.failure.find((i) =>
						outcome.id === null ? i.json.id === null : i.json.id === outcome.id,
					);
					expect(item).toBeDefined();
					expect(item!.json.status).toBe('invalid');
					expect(item!.json.attempts).toBe(0);
					expect(item!.json.batch).toBeNull();
					expect(String(item!.json.message)).toMatch(outcome.message);
					expect(item!.pairedItem).toEqual({ item: outcome.item });
					// The good IDs still went out and were deleted; the bad value never did.
					expect(good.every((id) => env.removed(env.keyOf(id)))).toBe(true);
					if (outcome.id !== null)
						expect(
							deletes.some(
								(r) => env.idsOf(r).includes(outcome.id!) || r.rawBody.includes(outcome.id!),
							),
						).toBe(false);
				}
				// The seeded IDs vary with test order: the catalogue shows a placeholder.
				const gets = good.reduce(
					(text, id) => text.split(id).join('<ID>'),
					describeResult(result, outcome),
				);
				rows.push({ input: c.input, provider: c.adapter.name, gets });
			} finally {
				await env.close();
			}
		},
	);
});

afterAll(() => {
	if (rows.length !== CASES.length) return;
	const order = (row: Row) => CASES.findIndex((c) => c.input === row.input);
	const escape = (text: string) => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
	const table = [
		'| bad input | tried with | what the user gets (verbatim) | sent for it |',
		'|---|---|---|---|',
		...[...rows]
			.sort((a, b) => order(a) - order(b))
			.map((r) => `| ${escape(r.input)} | ${r.provider} | ${escape(r.gets)} | nothing |`),
	].join('\n');
	if (process.env.TABLES_DIR)
		writeFileSync(join(process.env.TABLES_DIR, 'bad-input.md'), `${table}\n`);
});
