import type { Provider } from '../engine/types';
import { avayaSpaces } from './avayaSpaces';

/** Every provider the node offers, in the order the selector lists them. A new provider is one
 * file here plus its credential. */
export const PROVIDERS: Array<Provider<any>> = [avayaSpaces];

export function providerById(id: string): Provider<unknown> | undefined {
	return PROVIDERS.find((p) => p.id === id);
}
