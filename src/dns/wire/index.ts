export { WireFormatError, type Codec, type Decoded } from "./codec.js";
export * from "./constants.js";
export { name } from "./name.js";
export { header, type Header } from "./header.js";
export { question, type Question } from "./question.js";
export { compressedA, COMPRESSED_A_LENGTH, type CompressedA } from "./a-record.js";
export { Verdict, newFastQuery, parseFastQuery, type FastQuery } from "./fast-query.js";
export { encodeFastReply, encodeFastReplyInto } from "./fast-reply.js";
export { encodeErrorReply, encodeErrorReplyInto } from "./error-reply.js";
