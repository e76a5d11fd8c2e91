import { BatchDelete } from '../../nodes/BatchDelete/BatchDelete.node';
import { AvayaSpacesApi } from '../../credentials/AvayaSpacesApi.credentials';
import { AvayaSpacesMock } from '../mocks/avayaSpaces';
import { runNode } from './index';

test('smoke: real BatchDelete node in the harness', async () => {
	const mock = new AvayaSpacesMock(['m1', 'm2']);
	const url = await mock.start();
	try {
		const r = await runNode({
			node: BatchDelete,
			parameters: { provider: 'avayaSpaces' },
			credentialTypes: [AvayaSpacesApi],
			credentials: [{ id: 'a', name: 'A', type: 'avayaSpacesApi', data: { environment: 'custom', baseUrl: url, token: 'good-jwt' } }],
			items: [{ json: { id: 'm1' } }, { json: { id: 'm2' } }, { json: { id: 'zz' } }],
		});
		console.log(r.nodeName, JSON.stringify(r.outputs, null, 1).slice(0, 1500), r.error);
	} finally {
		await mock.close();
	}
});
