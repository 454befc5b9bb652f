import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join, relative, resolve, sep } from 'node:path';
import { RuntimeError } from '../errors/RuntimeError';
import type { DownloadedModel } from '../../shared/modelTypes';

/** The manifest each finished model folder carries. */
const manifestName = 'bora-model.json';

/**
 * Bora's model folder inside the storage directory the extension passes (VS Code's global storage):
 * `models/<id>/` holds a finished model and its manifest; `models/.partial/<id>/` a download in
 * progress, kept between attempts so it can resume. A model folder only ever appears complete: it is
 * renamed into place after verification.
 */
export class ModelStore {
	readonly modelsDir: string;

	constructor(storageDir: string) {
		this.modelsDir = join(resolve(storageDir), 'models');
	}

	/** Where a finished model lives. */
	modelDir(id: string): string {
		return join(this.modelsDir, checkId(id));
	}

	/** Where a download in progress keeps its files. */
	partialDir(id: string): string {
		return join(this.modelsDir, '.partial', checkId(id));
	}

	async list(): Promise<DownloadedModel[]> {
		const names = await readdir(this.modelsDir).catch(() => [] as string[]);
		const models = await Promise.all(names.filter(name => !name.startsWith('.')).map(name => this.read(name)));
		return models.filter((model): model is DownloadedModel => model !== undefined).sort((a, b) => a.name.localeCompare(b.name));
	}

	/** The downloaded model with this id, or undefined when it is missing or incomplete. */
	async read(id: string): Promise<DownloadedModel | undefined> {
		try {
			const manifest = JSON.parse(await readFile(join(this.modelDir(id), manifestName), 'utf8')) as DownloadedModel;
			await stat(manifest.modelPath);
			return manifest;
		} catch {
			return undefined;
		}
	}

	/**
	 * Moves a verified download into place, replacing an older copy only after the new one is whole.
	 * Paths in `model` point into the partial folder and are rewritten to the final one.
	 */
	async commit(model: DownloadedModel): Promise<DownloadedModel> {
		const partial = this.partialDir(model.id);
		const final = this.modelDir(model.id);
		const moved: DownloadedModel = {
			...model,
			modelPath: join(final, relative(partial, model.modelPath)),
			...(model.mmprojPath ? { mmprojPath: join(final, relative(partial, model.mmprojPath)) } : {}),
		};
		await writeFile(join(partial, manifestName), JSON.stringify(moved, undefined, '\t'));
		const old = `${final}.old`;
		await rm(old, { recursive: true, force: true });
		await rename(final, old).catch((error: NodeJS.ErrnoException) => {
			if (error.code !== 'ENOENT') {
				throw error;
			}
		});
		await mkdir(this.modelsDir, { recursive: true });
		await rename(partial, final);
		await rm(old, { recursive: true, force: true });
		return moved;
	}

	/** Deletes a downloaded model and any partial download of it. */
	async delete(id: string): Promise<void> {
		await rm(this.modelDir(id), { recursive: true, force: true });
		await rm(this.partialDir(id), { recursive: true, force: true });
	}

	/** Deletes the partial download of a model, e.g. after it failed verification. */
	async discardPartial(id: string): Promise<void> {
		await rm(this.partialDir(id), { recursive: true, force: true });
	}
}

/** Ids become folder names: refuse anything that could leave the models folder. */
function checkId(id: string): string {
	if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/.test(id) || id.includes('..') || id.includes(sep)) {
		throw new RuntimeError({ code: 'internal', message: `Invalid model id "${id}".`, action: 'Use letters, digits, ".", "_" and "-" only.' });
	}
	return id;
}
