/**
 * Text sizes for the picture. The SVG sets one monospace font (DejaVu Sans
 * Mono first, whose glyphs advance 0.602 em; Liberation Mono and Courier
 * advance 0.600 em), so a label's width is its length times a per-character
 * width. The width used here is 0.62 em, a little more than any of them, so
 * a label measured to fit does fit in whichever of them the browser picks.
 */
export const FONT_FAMILY = "'DejaVu Sans Mono', 'Liberation Mono', 'Courier New', monospace";
export const CHAR_EM = 0.62;

/** Font sizes (px) and the line heights that go with them. */
export const TEXT = {
  title: { size: 13, line: 18 },
  body: { size: 12, line: 16 },
  small: { size: 10.5, line: 14 },
} as const;
export type TextStyle = keyof typeof TEXT;

/** Width in px of `text` at `style`, by the conservative per-character width. */
export function textWidth(text: string, style: TextStyle): number {
  return [...text].length * TEXT[style].size * CHAR_EM;
}

/** A label cut to fit: `full` is set when it was cut (it becomes the tooltip). */
export interface Fitted {
  readonly text: string;
  readonly full?: string;
}

/** `text` as it fits in `width` px at `style`: whole, or cut with an ellipsis. */
export function fitText(text: string, width: number, style: TextStyle): Fitted {
  const chars = [...text];
  const room = Math.floor(width / (TEXT[style].size * CHAR_EM));
  if (chars.length <= room) return { text };
  if (room <= 1) return { text: room === 1 ? "…" : "", full: text };
  return { text: `${chars.slice(0, room - 1).join("")}…`, full: text };
}

/** Split `text` into lines of at most `width` px at `style`, at spaces where possible. */
export function wrapText(text: string, width: number, style: TextStyle): string[] {
  const room = Math.max(1, Math.floor(width / (TEXT[style].size * CHAR_EM)));
  const out: string[] = [];
  let rest = [...text];
  while (rest.length > room) {
    let cut = rest.lastIndexOf(" ", room);
    if (cut <= 0) cut = room;
    out.push(rest.slice(0, cut).join("").trimEnd());
    rest = [...rest.slice(cut).join("").trimStart()];
  }
  out.push(rest.join(""));
  return out;
}
