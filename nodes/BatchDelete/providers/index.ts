import type { Provider } from '../engine/types';
import { avayaSpaces } from './avayaSpaces';
import { huaweiCloudSms } from './huaweiCloudSms';
import { quectel } from './quectel';
import { solapi } from './solapi';
import { weChatOfficialAccount } from './weChatOfficialAccount';

/** Every provider the node offers, in the order the selector lists them. A new provider is one
 * folder here (see docs/adding-a-provider.md), one line in this list and its credential. */
export const PROVIDERS: Array<Provider<unknown>> = [
	avayaSpaces,
	solapi,
	quectel,
	weChatOfficialAccount,
	huaweiCloudSms,
];

export function providerById(id: string): Provider<unknown> | undefined {
	return PROVIDERS.find((p) => p.id === id);
}
