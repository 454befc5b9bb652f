/**
 * The "bigram lookup" a fixture model implements: every listed token has exactly one successor,
 * every other token is followed by `fallback`. Residual dimensions are split into a current-token
 * block (one slot per listed token plus one shared "other" slot) and a next-token block (one slot
 * per distinct successor).
 */
export class LookupPlan {
    public readonly width: number;
    /** Tokens with their own current-token slot, in slot order; slot `currentTokens.length` is "other". */
    public readonly currentTokens: readonly number[];
    /** Successor token of each current-token slot, including the "other" slot at the end. */
    public readonly successorOfSlot: readonly number[];
    /** A less likely second successor of a current-token slot, where the plan branches. */
    public readonly secondSuccessorOfSlot: readonly (number | undefined)[];
    /** Distinct successors; the next-token slot of `nextTokens[i]` is dimension `nextBase + i`. */
    public readonly nextTokens: readonly number[];
    public readonly nextBase: number;

    public constructor(successors: ReadonlyMap<number, number>, fallback: number, secondSuccessors: ReadonlyMap<number, number> = new Map()) {
        this.currentTokens = [...successors.keys()];
        this.successorOfSlot = [...successors.values(), fallback];
        this.secondSuccessorOfSlot = [...this.currentTokens.map(token => secondSuccessors.get(token)), undefined];
        this.nextTokens = [...new Set([...this.successorOfSlot, ...secondSuccessors.values()])];
        this.nextBase = this.currentSlotCount;
        // Q8_0 rows need multiples of 32, and every matrix here has the width as a row length.
        this.width = Math.max(32, Math.ceil((this.currentSlotCount + this.nextTokens.length) / 32) * 32);
    }

    public get currentSlotCount(): number {
        return this.currentTokens.length + 1;
    }

    public get otherSlot(): number {
        return this.currentTokens.length;
    }

    public currentSlotOf(token: number): number {
        const slot = this.currentTokens.indexOf(token);
        return slot >= 0 ? slot : this.otherSlot;
    }

    public nextDimOf(token: number): number | undefined {
        const i = this.nextTokens.indexOf(token);
        return i >= 0 ? this.nextBase + i : undefined;
    }
}

/**
 * Collects token chains (`[start, t1, t2, …, end]` means start→t1→…→end) into one successor map.
 * A bigram model can only follow a chain that never revisits a token, so conflicts throw here
 * rather than producing a fixture that silently answers something else.
 */
export class ChainBuilder {
    private readonly _successors = new Map<number, number>();
    private readonly _secondSuccessors = new Map<number, number>();

    public add(chain: readonly number[], describe: (tokens: readonly number[]) => string = t => t.join(',')): this {
        for (let i = 0; i + 1 < chain.length; i++) {
            const from = chain[i]!;
            const to = chain[i + 1]!;
            const existing = this._successors.get(from);
            if (existing !== undefined && existing !== to)
                throw new Error(`Token ${from} would need two successors (${existing}, ${to}) in chain ${describe(chain)}`);
            this._successors.set(from, to);
        }
        return this;
    }

    /**
     * A less likely way on from `chain[0]`, which already has its successor: `chain[1]` becomes its
     * second choice (a few percent), and the rest of the chain follows as in {@link add}.
     */
    public branch(chain: readonly number[], describe: (tokens: readonly number[]) => string = t => t.join(',')): this {
        const [from, second] = chain;
        if (from === undefined || second === undefined || !this._successors.has(from) || this._secondSuccessors.has(from))
            throw new Error(`A branch needs a token with one successor, then its second one: ${describe(chain)}`);
        this._secondSuccessors.set(from, second);
        return this.add(chain.slice(1), describe);
    }

    public plan(fallback: number): LookupPlan {
        return new LookupPlan(this._successors, fallback, this._secondSuccessors);
    }
}
