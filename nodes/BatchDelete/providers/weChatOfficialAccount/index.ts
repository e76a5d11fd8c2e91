import type { Provider } from '../../engine/types';
import { deletion } from './delete';

export * from './delete';

/** weChatOfficialAccount: deletes by ID only; it has no API that lists what it could delete. */
export const weChatOfficialAccount: Provider<Record<string, never>> = deletion;
