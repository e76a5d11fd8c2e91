import type { Provider } from '../../engine/types';
import { deletion } from './delete';
import { avayaSpacesList } from './list';

export * from './delete';
export * from './list';

/** avayaSpaces: its delete definition and its list API (Select = By Filter). */
export const avayaSpaces: Provider<Record<string, never>> = { ...deletion, list: avayaSpacesList };
