/**
 * Berth's error type. Every error that reaches a user carries a stable `code`,
 * a message that names what failed, and a `hint` that says what to do.
 */
export type ErrorCode =
  | "INVALID_ARGUMENT"
  | "INVALID_NAME"
  | "INVALID_ADDRESS"
  | "INVALID_SUBNET"
  | "SUBNET_OVERLAP"
  | "SUBNET_FULL"
  | "GATEWAY_OUTSIDE_SUBNET"
  | "ADDRESS_IN_USE"
  | "ADDRESS_OUTSIDE_SUBNET"
  | "NAME_IN_USE"
  | "NETWORK_NOT_FOUND"
  | "NETWORK_IN_USE"
  | "NETWORK_CONFLICT"
  | "MANAGED_ELSEWHERE"
  | "CONTAINER_NOT_FOUND"
  | "CONTAINER_RUNNING"
  | "CONTAINER_NOT_RUNNING"
  | "ALREADY_CONNECTED"
  | "NOT_CONNECTED"
  | "BRIDGE_FULL"
  | "IFNAME_IN_USE"
  | "NETNS_NOT_FOUND"
  | "PORT_IN_USE"
  | "PERMISSION"
  | "UNSAFE_PATH"
  | "MISSING_DEPENDENCY"
  | "KERNEL"
  | "FIREWALL"
  | "FIREWALLD"
  | "RUNTIME"
  | "COMMAND_NOT_FOUND"
  | "COMMAND_NOT_INVOKABLE"
  | "STATE"
  | "TEARDOWN"
  | "FILE_CONFLICT"
  | "SERVICE_UNAVAILABLE"
  | "SERVICE_OUTDATED"
  | "SERVICE_BUSY"
  | "IPV6_DISABLED"
  | "INTERNAL";

export interface BerthErrorOptions {
  readonly hint?: string;
  readonly cause?: unknown;
}

export class BerthError extends Error {
  override readonly name: string = "BerthError";
  readonly code: ErrorCode;
  readonly hint: string | undefined;
  /** Errors raised while undoing a failed operation; the original error stays first. */
  rollbackErrors: unknown[] = [];

  constructor(code: ErrorCode, message: string, options: BerthErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.hint = options.hint;
  }
}

/** A failed kernel call: rtnetlink, a namespace switch, a sysctl. */
export class KernelError extends BerthError {
  override readonly name = "KernelError";
  readonly errno: number;
  readonly op: string;
  readonly extack: string | undefined;

  constructor(op: string, errno: number, options: BerthErrorOptions & { extack?: string; code?: ErrorCode } = {}) {
    const reason = options.extack ?? errnoText(errno);
    super(options.code ?? "KERNEL", `${op}: ${reason} (${errnoName(errno)})`, {
      hint: options.hint ?? kernelHint(errno),
      ...(options.cause === undefined ? {} : { cause: options.cause }),
    });
    this.errno = errno;
    this.op = op;
    this.extack = options.extack;
  }
}

/** Teardown keeps going after failures and reports all of them at the end. */
export class TeardownError extends BerthError {
  override readonly name = "TeardownError";
  readonly errors: readonly unknown[];
  constructor(what: string, errors: readonly unknown[]) {
    super("TEARDOWN", `${what}: ${errors.length} step(s) failed: ${errors.map(messageOf).join("; ")}`, {
      hint: "Run `berth system reconcile` to repair what is left",
    });
    this.errors = errors;
  }
}

export function isBerthError(e: unknown): e is BerthError {
  return e instanceof BerthError;
}

export function messageOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** Wrap any thrown value with context, keeping a BerthError's code and hint. */
export function wrap(context: string, e: unknown): BerthError {
  if (e instanceof BerthError) {
    const w = new BerthError(e.code, `${context}: ${e.message}`, {
      ...(e.hint === undefined ? {} : { hint: e.hint }),
      cause: e,
    });
    w.rollbackErrors = e.rollbackErrors;
    return w;
  }
  return new BerthError("INTERNAL", `${context}: ${messageOf(e)}`, { cause: e });
}

const ERRNO: Record<number, [string, string]> = {
  1: ["EPERM", "operation not permitted"],
  2: ["ENOENT", "no such file or directory"],
  3: ["ESRCH", "no such process"],
  12: ["ENOMEM", "out of memory"],
  13: ["EACCES", "permission denied"],
  16: ["EBUSY", "device or resource busy"],
  17: ["EEXIST", "object already exists"],
  19: ["ENODEV", "no such device"],
  22: ["EINVAL", "invalid argument"],
  24: ["EMFILE", "too many open files"],
  28: ["ENOSPC", "no space left on device"],
  30: ["EROFS", "read-only file system"],
  34: ["ERANGE", "numerical result out of range"],
  54: ["EXFULL", "exchange full"],
  61: ["ENODATA", "no data available"],
  95: ["EOPNOTSUPP", "operation not supported"],
  97: ["EAFNOSUPPORT", "address family not supported by protocol"],
  98: ["EADDRINUSE", "address already in use"],
  99: ["EADDRNOTAVAIL", "cannot assign requested address"],
  101: ["ENETUNREACH", "network is unreachable"],
  111: ["ECONNREFUSED", "connection refused"],
  113: ["EHOSTUNREACH", "no route to host"],
  93: ["EPROTONOSUPPORT", "protocol not supported"],
};

export function errnoName(errno: number): string {
  return ERRNO[errno]?.[0] ?? `errno ${errno}`;
}

export function errnoText(errno: number): string {
  return ERRNO[errno]?.[1] ?? `error ${errno}`;
}

function kernelHint(errno: number): string {
  switch (errno) {
    case 1:
    case 13:
      return "Run berth as root (container networking needs CAP_NET_ADMIN)";
    case 17:
      return "An object with that name already exists; run `berth system reconcile` to remove leftovers";
    case 19:
    case 95:
    case 93:
      return "The kernel lacks a needed feature; load the module (e.g. `modprobe bridge veth nf_tables`)";
    case 16:
      return "The object is in use; stop what uses it and try again";
    default:
      return "Check `dmesg` for the kernel's view, then run `berth system reconcile`";
  }
}
