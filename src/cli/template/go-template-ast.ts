/** Syntax tree of a parsed Go template. `pos` is a source offset; `text` is the source of the node, for error context. */

export type Operand =
  | { readonly k: "dot"; readonly pos: number; readonly text: string }
  | { readonly k: "nil"; readonly pos: number; readonly text: string }
  | { readonly k: "lit"; readonly value: string | number | boolean; readonly pos: number; readonly text: string }
  | { readonly k: "field"; readonly names: readonly string[]; readonly pos: number; readonly text: string }
  | { readonly k: "var"; readonly name: string; readonly names: readonly string[]; readonly pos: number; readonly text: string }
  | { readonly k: "fn"; readonly name: string; readonly pos: number; readonly text: string }
  | { readonly k: "paren"; readonly pipe: Pipe; readonly names: readonly string[]; readonly pos: number; readonly text: string };

export interface Command {
  readonly args: readonly Operand[];
  readonly pos: number;
  readonly text: string;
}

export interface Pipe {
  /** Variables set by `$x :=` (declare) or `$x =` (assign); two only in range. */
  readonly vars: readonly string[];
  readonly assign: boolean;
  readonly cmds: readonly Command[];
}

export type Node =
  | { readonly k: "text"; readonly text: string }
  | { readonly k: "action"; readonly pipe: Pipe }
  | { readonly k: "if" | "with" | "range"; readonly pipe: Pipe; readonly body: readonly Node[]; readonly alt: readonly Node[] }
  | { readonly k: "break" | "continue" };
