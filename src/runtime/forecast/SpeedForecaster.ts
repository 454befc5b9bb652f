import type { Logger } from '../Logger';
import type { LlamaHandle } from '../loading/createLlama';
import type { LoadedModel } from '../loading/loadModel';
import { PreemptedError } from '../errors/PreemptedError';
import type { Scheduler } from '../scheduler/Scheduler';
import type { SerialQueue } from '../util/SerialQueue';
import { describeSuggestionMs, forecastSuggestionMs } from './forecastSuggestion';
import { ForecastStore, forecastKeyParts, type ForecastKeyParts } from './ForecastStore';
import { measureSpeed } from './measureSpeed';
import type { SpeedForecast } from '../../shared/modelTypes';

export interface SpeedForecasterOptions {
	/**
	 * Quiet time before measuring, after the load and after the last other work, so the first
	 * completions go first. `false` never measures (stored forecasts are still reused).
	 */
	readonly delayMs: number | false;
	/** The measurement is `background` work: it waits until nothing else ran for `delayMs`, and any request stops it. */
	readonly scheduler: Scheduler;
	/** The runtime's load/unload queue: measuring runs in it, so no reload frees the model meanwhile. */
	readonly lifecycle: SerialQueue;
	readonly logger: Logger;
}

/** One measurement to schedule for a freshly loaded model. */
export interface ForecastTarget {
	readonly model: LoadedModel;
	readonly threads: number;
	readonly generationThreads: number;
	readonly key: ForecastKeyParts;
	/** Where forecasts are stored per model and machine; none keeps them in memory only. */
	readonly storageDir: string | undefined;
	/** Whether the model is still the loaded one; a reload makes the measurement pointless. */
	readonly isCurrent: () => boolean;
	readonly onForecast: (forecast: SpeedForecast) => void;
}

/** Attempts before giving up when requests keep pre-empting the measurement. */
const maxAttempts = 5;

/**
 * The "≈ N ms per suggestion on this machine" forecast: reuses a stored one, else measures prompt and
 * generation speed off the hot path, on a throwaway context, only while nothing else runs.
 */
export class SpeedForecaster {
	private abort: AbortController | undefined;
	private run: Promise<void> = Promise.resolve();

	constructor(private readonly options: SpeedForecasterOptions) { }

	/** The key a model's forecast is stored under: the file plus what decides its speed on this machine, its placement included. */
	static async keyOf(handle: LlamaHandle, model: LoadedModel): Promise<ForecastKeyParts | undefined> {
		const gpuNames = handle.backend === 'cpu' ? [] : await handle.llama.getGpuDeviceNames().catch(() => []);
		// The load's fit judges the split llama.cpp really made, experts in RAM included.
		const cpuExpertLayers = model.fit.placement?.cpuExpertLayers ?? 0;
		return forecastKeyParts(model.info.path, { backend: handle.backend, gpuNames, threads: handle.threads, gpuLayers: model.gpuLayers, cpuExpertLayers });
	}

	/** A forecast measured earlier for this model on this machine, if any. */
	async stored(storageDir: string | undefined, key: ForecastKeyParts): Promise<SpeedForecast | undefined> {
		return storageDir ? new ForecastStore(storageDir).get(key).catch(() => undefined) : undefined;
	}

	/**
	 * What a model just loaded has: the forecast stored for it, or a `measure` to call once its ready
	 * state is out (a measurement can only ever update a state the client has seen).
	 */
	async forLoad(handle: LlamaHandle, model: LoadedModel, target: Pick<ForecastTarget, 'storageDir' | 'isCurrent' | 'onForecast'>): Promise<{ readonly forecast?: SpeedForecast; readonly measure: () => void }> {
		const key = await SpeedForecaster.keyOf(handle, model);
		const forecast = key ? await this.stored(target.storageDir, key) : undefined;
		const measure = () => {
			if (key && !forecast) {
				this.schedule({ ...target, model, threads: handle.threads, generationThreads: handle.generationThreads, key });
			}
		};
		return forecast ? { forecast, measure } : { measure };
	}

	/** Settles when the latest measurement has finished, given up or been cancelled. */
	whenSettled(): Promise<void> {
		return this.run;
	}

	/** Stops the measurement in progress or waiting (reload, shutdown). */
	cancel(): void {
		this.abort?.abort();
	}

	/**
	 * Measures after the quiet time; a request that arrives stops the measurement, and it tries again
	 * (with a longer quiet time) once requests are quiet.
	 */
	schedule(target: ForecastTarget): void {
		const { delayMs, scheduler, lifecycle, logger } = this.options;
		if (delayMs === false) {
			return;
		}
		this.cancel();
		const abort = new AbortController();
		this.abort = abort;
		const signal = abort.signal;
		const stillCurrent = () => !signal.aborted && target.isCurrent();
		this.run = (async () => {
			for (let attempt = 0; attempt < maxAttempts; attempt++) {
				try {
					const speeds = await scheduler.runWhenQuiet({ lane: 'background', quietMs: delayMs * (attempt + 1), signal }, job => lifecycle.run(async () => stillCurrent()
						? measureSpeed(target.model.model, { threads: target.threads, generationThreads: target.generationThreads, signal, job })
						: undefined));
					if (!speeds || !stillCurrent()) {
						return;
					}
					const msPerSuggestion = forecastSuggestionMs(speeds);
					const forecast: SpeedForecast = { ...speeds, msPerSuggestion, summary: describeSuggestionMs(msPerSuggestion), measuredAt: new Date().toISOString() };
					logger.info(`Speed on this machine: prompt ${speeds.promptTokensPerSecond} tokens/s, generation ${speeds.generationTokensPerSecond} tokens/s: ${forecast.summary}`);
					target.onForecast(forecast);
					if (target.storageDir) {
						await new ForecastStore(target.storageDir).put(target.key, forecast).catch(error => logger.warn(`Could not store the speed forecast: ${String(error)}`));
					}
					return;
				} catch (error) {
					if (!(error instanceof PreemptedError)) {
						if (!signal.aborted) {
							logger.warn(`Measuring the speed failed: ${error instanceof Error ? error.message : String(error)}`);
						}
						return;
					}
					// A request came first; try again when it is quiet.
				}
			}
		})().catch(() => undefined);
	}
}
