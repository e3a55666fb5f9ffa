/** RFC 1035 / RFC 6895 numbers the resolver uses. */
export const TYPE_A = 1;
export const TYPE_PTR = 12;
export const TYPE_AAAA = 28;
export const TYPE_OPT = 41;
export const TYPE_IXFR = 251;
export const TYPE_AXFR = 252;
export const TYPE_ANY = 255;
export const CLASS_IN = 1;

export const RCODE_NOERROR = 0;
export const RCODE_FORMERR = 1;
export const RCODE_SERVFAIL = 2;
export const RCODE_NXDOMAIN = 3;
export const RCODE_NOTIMP = 4;
export const RCODE_REFUSED = 5;

/** Header flag bits (the 16-bit word at offset 2). */
export const FLAG_QR = 0x8000;
export const FLAG_AA = 0x0400;
export const FLAG_TC = 0x0200;
export const FLAG_RD = 0x0100;
export const FLAG_RA = 0x0080;
export const FLAG_CD = 0x0010;
export const OPCODE_MASK = 0x7800;

export const HEADER_LENGTH = 12;
/** Largest UDP reply to a client that did not send EDNS (RFC 1035 4.2.1). */
export const UDP_PLAIN_MAX = 512;
/** The UDP payload size the resolver advertises and honours at most (DNS flag day 2020). */
export const EDNS_PAYLOAD = 1232;
export const MAX_NAME_LENGTH = 255;
export const MAX_LABEL_LENGTH = 63;
