import { BerthError } from "../../errors.js";
import { ANY_FAMILY, type PortRequest } from "../../model/port-spec.js";
import { formatIpv4, parseIpv4 } from "../../model/ipv4.js";
import { formatIpv6, parseIpv6 } from "../../model/ipv6.js";
import { int, objectOf, optArray, optStr, type JsonObject } from "./json-body.js";

/** libnetwork's option keys for a container's ports. */
export const PORT_MAP_OPTION = "com.docker.network.portmap";
export const EXPOSED_PORTS_OPTION = "com.docker.network.endpoint.exposedports";

/** IP protocol numbers in Docker's port bindings. */
const PROTOCOLS: Readonly<Record<number, "tcp" | "udp">> = { 6: "tcp", 17: "udp" };

/**
 * The published ports in an endpoint's options (`-p`): Docker's
 * PortBinding list, {Proto, IP, Port, HostIP, HostPort, HostPortEnd}. A host
 * port range for one container port (`-p 8000-8010:80`) publishes the
 * range's first port. Refused: SCTP, and a binding without a host port
 * (`-p 80`, where Docker's bridge driver picks one: Berth does not).
 */
export function parsePortMap(options: JsonObject): PortRequest[] {
  const out: PortRequest[] = [];
  for (const [i, raw] of optArray(options, PORT_MAP_OPTION).entries()) {
    const b = objectOf(raw, `${PORT_MAP_OPTION}[${i}]`);
    const protoNumber = int(b, "Proto", 0, 255);
    const proto = PROTOCOLS[protoNumber];
    if (proto === undefined) {
      throw new BerthError("INVALID_ARGUMENT", `Cannot publish a port of IP protocol ${protoNumber} on a Berth network`, {
        hint: "Publish tcp or udp ports",
      });
    }
    const containerPort = int(b, "Port", 1, 65535);
    const hostPort = int(b, "HostPort", 0, 65535);
    if (hostPort === 0) {
      throw new BerthError("INVALID_ARGUMENT", `Cannot publish container port ${containerPort}/${proto} without a host port on a Berth network`, {
        hint: `Give the host port, e.g. -p ${containerPort}:${containerPort}`,
      });
    }
    const hostIpText = optStr(b, "HostIP");
    const hostIp =
      hostIpText === undefined
        ? ANY_FAMILY
        : hostIpText.includes(":")
          ? formatIpv6(parseIpv6(hostIpText, "host address"))
          : formatIpv4(parseIpv4(hostIpText, "host address"));
    out.push({ proto, hostIp, hostPort, containerPort });
  }
  return out;
}
