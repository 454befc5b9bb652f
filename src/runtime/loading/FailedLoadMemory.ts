import { stat } from 'node:fs/promises';
import { sameLoadTarget, type LoadTarget } from './loadSettings';

/**
 * The last load that failed while the model before it was loaded again, and the file as it was
 * then. A settings push that changes nothing about that load (the extension sends every `bora.*`
 * change) must not unload the working model to fail the same way; a replaced file is tried again.
 */
export class FailedLoadMemory {
	private failed: { readonly target: LoadTarget; readonly file: string } | undefined;

	async remember(target: LoadTarget): Promise<void> {
		this.failed = { target, file: await identity(target.modelPath) };
	}

	forget(): void {
		this.failed = undefined;
	}

	/** Whether loading `target` now repeats the remembered failure: the same load of the same, unchanged file. */
	async wouldRepeat(target: LoadTarget): Promise<boolean> {
		const failed = this.failed;
		return failed !== undefined && sameLoadTarget(failed.target, target) && failed.file === await identity(target.modelPath);
	}
}

/** Size, modification time and inode: what changes when a download finishes or the file is replaced. */
async function identity(path: string): Promise<string> {
	try {
		const { size, mtimeMs, ino } = await stat(path);
		return `${size}/${mtimeMs}/${ino}`;
	} catch (error) {
		return `unreadable: ${(error as NodeJS.ErrnoException).code ?? String(error)}`;
	}
}
