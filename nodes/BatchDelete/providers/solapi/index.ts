import type { Provider } from '../../engine/types';
import type { SolapiParams } from './delete';
import { deletion } from './delete';
import { solapiList } from './list';

export * from './delete';
export * from './list';

/** solapi: its delete definition and its list API (Select = By Filter). */
export const solapi: Provider<SolapiParams> = { ...deletion, list: solapiList };
