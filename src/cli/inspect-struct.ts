import { goStruct, isMap } from "./template/index.js";

/**
 * Mark a container's inspect view (engine/views/container-view.ts) as the Go
 * structs Podman's templates run on, so `{{.Foo}}` or `{{.State.Foo}}` is an
 * error naming the valid fields, while a map (`.NetworkSettings.Networks`,
 * `.NetworkSettings.Ports`) still gives "no value" for a missing key.
 */
export function containerInspectData(view: Record<string, unknown>): Record<string, unknown> {
  for (const [key, type] of [
    ["State", "define.InspectContainerState"],
    ["Config", "define.InspectContainerConfig"],
    ["HostConfig", "define.InspectContainerHostConfig"],
    ["NetworkSettings", "define.InspectNetworkSettings"],
  ] as const) {
    const v = view[key];
    if (isMap(v)) goStruct(type, v);
  }
  const settings = view["NetworkSettings"];
  const networks = isMap(settings) ? settings["Networks"] : undefined;
  if (isMap(networks)) for (const ep of Object.values(networks)) if (isMap(ep)) goStruct("define.InspectAdditionalNetwork", ep);
  return goStruct("define.InspectContainerData", view);
}
