import type { Provider } from '../engine/types';
import { avayaSpacesList } from './avayaSpacesList';
import { huaweiCloudSmsList } from './huaweiCloudSmsList';
import { quectelList } from './quectelList';
import { solapiList } from './solapiList';

/**
 * The list APIs, by provider ID, for Select = By Filter. Attached here rather than in each
 * provider's file so a list module can use its provider's constants without an import cycle.
 * WeChat Official Account has no API that lists mass messages, so it deletes by ID only.
 */
const LISTS: Record<string, Provider<any>['list']> = {
	avayaSpaces: avayaSpacesList,
	solapi: solapiList,
	quectel: quectelList,
	huaweiCloudSms: huaweiCloudSmsList,
};

export function attachLists(providers: Array<Provider<any>>): void {
	for (const provider of providers) provider.list ??= LISTS[provider.id];
}
