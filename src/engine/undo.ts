import { BerthError, wrap } from "../errors.js";

interface Undo {
  readonly what: string;
  readonly undo: () => unknown;
}

/**
 * The rollback of a multi-step change. Register each step's undo right
 * after the step succeeded; on failure `unwind` runs them newest first,
 * keeps going past an undo that fails, and puts each such failure on the
 * error (`rollbackErrors`, naming what could not be undone).
 */
export class UndoStack {
  readonly #undos: Undo[] = [];

  /** `undo` reverses the step just done; `what` names it for an undo that fails ("delete veth bth1a2b"). */
  push(what: string, undo: () => unknown): void {
    this.#undos.push({ what, undo });
  }

  get size(): number {
    return this.#undos.length;
  }

  /**
   * Undo every registered step, newest first, and return `cause` as a
   * BerthError (wrapped in `context` when given) carrying the undos that
   * failed. Throws nothing itself.
   */
  async unwind(cause: unknown, context?: string): Promise<BerthError> {
    const err = asBerthError(cause, context);
    for (const u of this.#undos.splice(0).reverse()) {
      try {
        await u.undo();
      } catch (e) {
        err.rollbackErrors.push(wrap(`undo: ${u.what}`, e));
      }
    }
    return err;
  }

  /** `unwind` for undos that are all synchronous (inside a store transaction). */
  unwindSync(cause: unknown, context?: string): BerthError {
    const err = asBerthError(cause, context);
    for (const u of this.#undos.splice(0).reverse()) {
      try {
        const r = u.undo();
        if (r instanceof Promise) throw new BerthError("INTERNAL", `the undo of ${u.what} is asynchronous`);
      } catch (e) {
        err.rollbackErrors.push(wrap(`undo: ${u.what}`, e));
      }
    }
    return err;
  }
}

function asBerthError(cause: unknown, context: string | undefined): BerthError {
  if (context !== undefined) return wrap(context, cause);
  return cause instanceof BerthError ? cause : new BerthError("KERNEL", String(cause), { cause });
}
