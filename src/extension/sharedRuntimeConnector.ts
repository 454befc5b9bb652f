import type * as vscode from 'vscode';
import { connectOrStart } from '../shared/connectSharedRuntime';
import { buildHashOf, sharedRuntimeEndpoint } from '../shared/sharedRuntime';
import type { SharedRuntimeConnector } from './RuntimeClient';
import { getSetting } from './settings';

/**
 * How this window reaches the shared runtime of its own build: the socket named by the hash of
 * `serverModule`, so a window of another Bora version never talks to this one. When none answers,
 * `serverModule --listen` is started detached and outlives the window.
 */
export function sharedRuntimeConnector(serverModule: string, log: vscode.LogOutputChannel): SharedRuntimeConnector {
	return signal => {
		// Hashed at each connect: a rebuilt bundle (development, an update in place) gets its own runtime.
		const endpoint = sharedRuntimeEndpoint({ buildHash: buildHashOf(serverModule) });
		return connectOrStart({
			serverModule,
			endpoint,
			// Only a runtime started by this call reads them; a running one gets the setting with each window's settings.
			args: ['--keepAliveMinutes', String(getSetting('keepAliveMinutes'))],
			signal,
			log: message => log.info(message),
		});
	};
}
