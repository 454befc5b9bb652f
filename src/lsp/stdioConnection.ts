import { createConnection, StreamMessageWriter, type Connection, type ResponseMessage } from 'vscode-languageserver/node';
import { ResyncingMessageReader, type FramingError } from './ResyncingMessageReader';

/**
 * The connection over stdin and stdout that editors other than VS Code use (VS Code speaks IPC,
 * where Node frames the messages). Bad framing from the client does not end the process: those
 * editors rarely restart a server that exits, so the runtime answers a JSON-RPC parse error (-32700,
 * id null), logs it, and reads on from the next header (see {@link ResyncingMessageReader}).
 * When stdin ends the process exits, as vscode-languageserver's own stdio connection does.
 */
export function createStdioConnection(): Connection {
	const writer = new StreamMessageWriter(process.stdout);
	let connection: Connection | undefined;
	let shutdownAsked = false;
	const onFramingError = (error: FramingError) => {
		const message = `Bad message from the client, skipped to the next header: ${error.message}`;
		const answer: ResponseMessage = { jsonrpc: '2.0', id: null, error: { code: error.code, message } };
		void writer.write(answer);
		process.stderr.write(`bora-runtime: ${message}\n`);
		connection?.console.warn(message);
	};
	const reader = new ResyncingMessageReader(process.stdin, { onFramingError });
	// The exit code tells a crash from a clean end, as the library's: 0 only after `shutdown`.
	reader.onClose(() => process.exit(shutdownAsked ? 0 : 1));
	const listen = reader.listen.bind(reader);
	reader.listen = callback => listen(message => {
		shutdownAsked ||= 'method' in message && message.method === 'shutdown';
		callback(message);
	});
	connection = createConnection(reader, writer);
	return connection;
}
