import { DisposedError } from '../errors/DisposedError';

/**
 * The lifetime rules every engine follows (as node-llama-cpp's own objects do): `dispose` is
 * idempotent (a second call waits for the first), `await using` works, and public methods start
 * with {@link ensureNotDisposed}, which throws the one {@link DisposedError}.
 */
export abstract class DisposableBase implements AsyncDisposable {
	private disposal: Promise<void> | undefined;
	private readonly disposing = new AbortController();

	get isDisposed(): boolean {
		return this.disposal !== undefined;
	}

	/** Aborts (with a {@link DisposedError}) when disposal starts, so work in progress stops before what it uses is freed. */
	protected get disposeSignal(): AbortSignal {
		return this.disposing.signal;
	}

	dispose(): Promise<void> {
		if (!this.disposal) {
			this.disposing.abort(new DisposedError());
			this.disposal = this.onDispose();
		}
		return this.disposal;
	}

	[Symbol.asyncDispose](): Promise<void> {
		return this.dispose();
	}

	protected ensureNotDisposed(): void {
		if (this.disposal) {
			throw new DisposedError();
		}
	}

	/** Frees what the object holds; called once, by the first {@link dispose}. */
	protected abstract onDispose(): Promise<void>;
}
