// MediaGate's own view of the devices: built-ins captured at document_start, before the labels
// feature (which hides names from the page) patches them. The chunk gets this through PickerCore.
import { apply, getOwnPropertyDescriptor, inert, push } from '../native';
import type { DeviceDescription } from '../../shared/constraints';

// Insecure contexts have no MediaDevices/MediaDeviceInfo at all (nothing is patched there either).
const secure = typeof MediaDevices === 'function' && typeof MediaDeviceInfo === 'function';
const nativeEnumerate = secure ? MediaDevices.prototype.enumerateDevices : (undefined as never);
const infoGet = (key: string) =>
  secure ? getOwnPropertyDescriptor(MediaDeviceInfo.prototype, key)!.get! : (undefined as never);
const infoDeviceId = infoGet('deviceId');
const infoGroupId = infoGet('groupId');
const infoKind = infoGet('kind');
const infoLabel = infoGet('label');
const getCapabilities = typeof InputDeviceInfo !== 'undefined' ? InputDeviceInfo.prototype.getCapabilities : undefined;

export async function describeDevices(mediaDevices: MediaDevices): Promise<DeviceDescription[]> {
  const infos = await (apply(nativeEnumerate, mediaDevices, []) as Promise<MediaDeviceInfo[]>);
  const out: DeviceDescription[] = [];
  for (let i = 0; i < infos.length; i++) {
    const info = infos[i]!;
    const kind = apply(infoKind, info, []) as string;
    if (kind !== 'audioinput' && kind !== 'videoinput') continue;
    let capabilities: Record<string, unknown> | null = null;
    if (getCapabilities) {
      try {
        capabilities = apply(getCapabilities, info, []) as Record<string, unknown>;
      } catch {
        capabilities = null;
      }
    }
    push(out, {
      deviceId: apply(infoDeviceId, info, []) as string,
      groupId: apply(infoGroupId, info, []) as string,
      kind,
      label: apply(infoLabel, info, []) as string,
      capabilities,
    });
  }
  // Labels the page may not see: never reachable through a getter on Array.prototype.then.
  return inert(out);
}
