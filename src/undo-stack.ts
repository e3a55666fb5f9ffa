import { BerthError, wrap } from "./errors.js";

export type UndoFn = () => void | Promise<void>;

/**
 * Undo actions for a multi-step change: push each step's undo right after the
 * step succeeds; on failure, `unwind` runs them in reverse and returns the
 * original error with any undo failures attached.
 */
export class UndoStack {
  #steps: { what: string; fn: UndoFn }[] = [];

  push(what: string, fn: UndoFn): void {
    this.#steps.push({ what, fn });
  }

  clear(): void {
    this.#steps = [];
  }

  get size(): number {
    return this.#steps.length;
  }

  async unwind(original: unknown): Promise<BerthError> {
    const err = original instanceof BerthError ? original : wrap("unexpected failure", original);
    while (this.#steps.length > 0) {
      const step = this.#steps.pop();
      if (!step) break;
      try {
        await step.fn();
      } catch (e) {
        err.rollbackErrors.push(wrap(`undo ${step.what}`, e));
      }
    }
    return err;
  }
}
