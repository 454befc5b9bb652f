import type * as vscode from 'vscode';

/**
 * Base of everything that holds listeners or other disposables (as in VS Code's markdown extension):
 * `_register` gives each one this owner, `dispose` ends them all once. Registering after dispose
 * disposes at once, so a late subscription never outlives its owner.
 */
export abstract class Disposable implements vscode.Disposable {
	private disposed = false;
	private readonly owned: vscode.Disposable[] = [];

	protected get isDisposed(): boolean {
		return this.disposed;
	}

	protected _register<T extends vscode.Disposable>(value: T): T {
		if (this.disposed) {
			value.dispose();
		} else {
			this.owned.push(value);
		}
		return value;
	}

	dispose(): void {
		if (this.disposed) {
			return;
		}
		this.disposed = true;
		// Last registered first: later pieces may use earlier ones while they shut down.
		for (const value of this.owned.splice(0).reverse()) {
			value.dispose();
		}
	}
}
