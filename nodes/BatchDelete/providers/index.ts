import type { Provider } from '../engine/types';
import { avayaSpaces } from './avayaSpaces';
import { huaweiCloudSms } from './huaweiCloudSms';
import { attachLists } from './lists';
import { quectel } from './quectel';
import { solapi } from './solapi';
import { weChatOfficialAccount } from './weChatOfficialAccount';

/** Every provider the node offers, in the order the selector lists them. A new provider is one
 * file here plus its credential. */
export const PROVIDERS: Array<Provider<any>> = [avayaSpaces, solapi, quectel, weChatOfficialAccount, huaweiCloudSms];
// Select = By Filter: each provider with a list API gets its `list` (see lists.ts).
attachLists(PROVIDERS);

export function providerById(id: string): Provider<unknown> | undefined {
	return PROVIDERS.find((p) => p.id === id);
}
