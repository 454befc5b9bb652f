import type { Connection } from 'vscode-languageserver';
import type { ClientSession } from '../../runtime';
import { RemoteApiKeyNotification, RemoteEngineStatusRequest, TestRemoteEngineRequest, type RemoteEngineReport } from '../../shared/protocol';
import { runSafeAsync, type HandlerLog } from '../runSafe';

/**
 * The remote engine's messages: the window's API key (`bora/remote/apiKey`, kept in the session and
 * never logged), its status for the Models view, and **Test Remote Engine**.
 */
export function registerRemote(connection: Connection, session: ClientSession, log: HandlerLog): void {
	connection.onNotification(RemoteApiKeyNotification.type, params => {
		const apiKey = typeof params === 'object' && params !== null ? (params as { apiKey?: unknown }).apiKey : undefined;
		if (apiKey !== null && typeof apiKey !== 'string') {
			// Said without the value: whatever was sent may be a key.
			log.error('bora/remote/apiKey: apiKey must be a string or null; ignored.');
			return;
		}
		session.setRemoteApiKey(apiKey);
	});
	connection.onRequest(RemoteEngineStatusRequest.type, () => session.remoteStatus());
	connection.onRequest(TestRemoteEngineRequest.type, token => runSafeAsync(log, (signal): Promise<RemoteEngineReport> => session.testRemote(signal),
		{ fail: { message: 'Testing the remote engine failed', action: 'See the runtime log for details.' } }, 'Error while testing the remote engine', token));
}

