import type { Provider } from '../../engine/types';
import type { HuaweiCloudSmsParams } from './delete';
import { deletion } from './delete';
import { huaweiCloudSmsList } from './list';

export * from './delete';
export * from './list';

/** huaweiCloudSms: its delete definition and its list API (Select = By Filter). */
export const huaweiCloudSms: Provider<HuaweiCloudSmsParams> = {
	...deletion,
	list: huaweiCloudSmsList,
};
