import { RuntimeError } from './RuntimeError';

/**
 * Thrown by every public method of an engine (and by work still queued on it) once it was disposed:
 * its model was unloaded or replaced, or the runtime shut down. One error with one message instead
 * of one copy per engine.
 */
export class DisposedError extends RuntimeError {
	constructor() {
		super({ code: 'internal', message: 'The model was unloaded or the runtime shut down while this was asked for.', action: 'Try again; restart the runtime if it keeps failing.' });
		this.name = 'DisposedError';
	}
}
