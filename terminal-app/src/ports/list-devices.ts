import { SerialPort } from 'serialport';
import { devicesAsync } from 'node-hid';

/** What the maintenance screen shows a field tech: every serial port and HID device the OS sees. */
export interface ListedDevice {
  readonly url: string;
  readonly description: string;
  /** HID POS scanners (usage page 0x8C) are flagged so the tech can pick one. */
  readonly hidPos?: boolean;
}

const hidPosUsagePage = 0x8c;

export async function listSerialPorts(): Promise<ListedDevice[]> {
  const ports = await SerialPort.list();
  return ports.map((port) => ({
    url: `serial://${port.path}?baud=9600&parity=none`,
    description: [port.manufacturer, port.vendorId && `${port.vendorId}:${port.productId}`, port.serialNumber]
      .filter(Boolean)
      .join(' '),
  }));
}

export async function listHidDevices(): Promise<ListedDevice[]> {
  const devices = await devicesAsync();
  return devices.map((device) => {
    const hex = (n: number): string => n.toString(16).padStart(4, '0');
    return {
      url: device.path ? `hid://${device.path}` : `hid://${hex(device.vendorId)}:${hex(device.productId)}`,
      description: [device.manufacturer, device.product, `${hex(device.vendorId)}:${hex(device.productId)}`]
        .filter(Boolean)
        .join(' '),
      hidPos: device.usagePage === hidPosUsagePage,
    };
  });
}
