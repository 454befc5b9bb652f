/** Where the runtime writes its log; the LSP server forwards it to the client's output channel. */
export interface Logger {
	info(message: string): void;
	warn(message: string): void;
	error(message: string): void;
}

export const silentLogger: Logger = { info() { }, warn() { }, error() { } };
