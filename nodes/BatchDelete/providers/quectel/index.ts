import type { Provider } from '../../engine/types';
import { deletion } from './delete';
import { quectelList } from './list';

export * from './delete';
export * from './list';

/** quectel: its delete definition and its list API (Select = By Filter). */
export const quectel: Provider<Record<string, never>> = { ...deletion, list: quectelList };
