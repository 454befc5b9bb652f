/*
 * The one place where Bora's wire format is declared. Both the extension (client) and the runtime
 * server import this module, so a message can never drift between the two sides.
 * It imports only the protocol package and plain runtime types, so the extension bundle never pulls
 * in server or model code.
 */
import { NotificationType, RequestType0 } from 'vscode-languageserver-protocol';

import type { RuntimeState } from '../runtime/types';

export type { Backend, FimFormatName, GpuMode, ModelInfo, RuntimeErrorCode, RuntimeErrorInfo, RuntimeSettings, RuntimeState } from '../runtime/types';
export { defaultRuntimeSettings } from '../runtime/types';

/** Sent by the server whenever the runtime state changes. */
export namespace RuntimeStateNotification {
	export const method = 'bora/runtimeState' as const;
	export const type = new NotificationType<RuntimeState>(method);
}

/** Asks the server for its current runtime state, e.g. after the client reconnects. */
export namespace RuntimeStateRequest {
	export const method = 'bora/getRuntimeState' as const;
	export const type = new RequestType0<RuntimeState, void>(method);
}

/**
 * Error codes carried by `ResponseError`s from Bora's handlers, outside the JSON-RPC and LSP reserved
 * ranges. The error's `data` is a {@link RuntimeErrorInfo}.
 */
export namespace BoraErrorCodes {
	/** The request cannot be served in the runtime's current state (no model, load error, no FIM tokens). */
	export const unavailable = 41001;
}
