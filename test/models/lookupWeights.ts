import type { LookupPlan } from './LookupPlan.js';

/*
 * Matrices of a one-layer "lookup" transformer. ggml stores a weight with dims [nIn, nOut] as nOut
 * rows of nIn values, and computes y[o] = Σ_i w[o·nIn + i]·x[i].
 *
 * Signal path: the embedding puts 1.0 in the token's current-token slot; attention writes nothing
 * (zero output projection); after RMS norm that slot holds a ≈ √width; gate and up copy it into
 * hidden unit `slot`, so SiLU-gating yields a·silu(a); down scales it back to 1.0 in the successor's
 * next-token slot; the output matrix reads only next-token slots, with a gain that makes the
 * successor win greedy sampling by a wide margin.
 */

/** Logit gain per unit of normed next-token activation; ≈ 20 logits above every other token. */
const outputGain = 5;
/** A second successor's share of the first one's activation: a few logits below it, far above the rest. */
const secondSuccessorWeight = 0.85;
/** Router logit for the chosen expert; e^-20 leaves the runner-up no weight. */
const routerGain = 4;

function normedOneHot(width: number): number {
    return Math.sqrt(width);
}

function silu(x: number): number {
    return x / (1 + Math.exp(-x));
}

export function tokenEmbedding(plan: LookupPlan, vocabSize: number): Float32Array {
    const w = plan.width;
    const data = new Float32Array(w * vocabSize);
    for (let v = 0; v < vocabSize; v++) data[v * w + plan.currentSlotOf(v)] = 1;
    return data;
}

export function outputProjection(plan: LookupPlan, vocabSize: number): Float32Array {
    const w = plan.width;
    const data = new Float32Array(w * vocabSize);
    plan.nextTokens.forEach((token, i) => {
        if (token >= vocabSize) throw new Error(`Successor ${token} is outside the vocabulary`);
        data[token * w + plan.nextBase + i] = outputGain;
    });
    return data;
}

/** gate/up: hidden unit `slot` copies current-token slot `slot`. Dims [width, ff]. */
export function slotCopy(plan: LookupPlan, ff: number): Float32Array {
    if (ff < plan.currentSlotCount) throw new Error(`Feed-forward length ${ff} < ${plan.currentSlotCount} slots`);
    const data = new Float32Array(plan.width * ff);
    for (let s = 0; s < plan.currentSlotCount; s++) data[s * plan.width + s] = 1;
    return data;
}

/** down: hidden unit `slot` writes 1.0 into its successor's next-token slot. Dims [ff, width]. */
export function slotToSuccessor(plan: LookupPlan, ff: number, includeSlot: (slot: number) => boolean = () => true): Float32Array {
    const a = normedOneHot(plan.width);
    const scale = 1 / (a * silu(a));
    const data = new Float32Array(ff * plan.width);
    for (let s = 0; s < plan.currentSlotCount; s++) {
        if (!includeSlot(s)) continue;
        const dim = plan.nextDimOf(plan.successorOfSlot[s]!)!;
        data[dim * ff + s] = scale;
        const second = plan.secondSuccessorOfSlot[s];
        if (second !== undefined) data[plan.nextDimOf(second)! * ff + s] = scale * secondSuccessorWeight;
    }
    return data;
}

/** Router [width, experts]: each current-token slot strongly prefers `expertOfSlot(slot)`. */
export function router(plan: LookupPlan, experts: number, expertOfSlot: (slot: number) => number): Float32Array {
    const data = new Float32Array(plan.width * experts);
    for (let s = 0; s < plan.currentSlotCount; s++) data[expertOfSlot(s) * plan.width + s] = routerGain;
    return data;
}

/** Concatenates per-expert matrices into one [.., .., experts] tensor. */
export function stackExperts(perExpert: readonly Float32Array[]): Float32Array {
    const size = perExpert[0]!.length;
    const data = new Float32Array(size * perExpert.length);
    perExpert.forEach((m, i) => data.set(m, i * size));
    return data;
}

export function filled(length: number, value: number): Float32Array {
    return new Float32Array(length).fill(value);
}

/** Small random weights for paths whose result is discarded, so the kernels still see real numbers. */
export function noise(rng: () => number, length: number, scale = 0.05): Float32Array {
    const data = new Float32Array(length);
    for (let i = 0; i < length; i++) data[i] = (rng() * 2 - 1) * scale;
    return data;
}
