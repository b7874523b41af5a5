/**
 * Kiln's udev rule, as installed by the 'install-udev-rule' fix. The same text ships as
 * assets/udev/60-kiln.rules (a test keeps the two identical).
 *
 * Why these choices: `TAG+="uaccess"` gives the person at the local seat an ACL on the port without joining a
 * group or logging out; it only works from a file that sorts before 73-seat-late.rules (systemd 258 enforces
 * this), hence "60-". ID_MM_DEVICE_IGNORE/ID_MM_PORT_IGNORE keep ModemManager from sending AT probes into a
 * bootloader. The mode and group are left as the distribution sets them (dialout or uucp). FTDI's latency timer
 * (an attribute of the usb-serial device, not the tty) is set to 1 ms: see serial/ftdi-latency.ts for what it costs.
 */
export const KILN_UDEV_RULE_NAME = '60-kiln.rules';
export const KILN_UDEV_RULE_PATH = `/etc/udev/rules.d/${KILN_UDEV_RULE_NAME}`;

export const KILN_UDEV_RULE = `# Kiln: let the person at this computer use USB-serial adapters and ESP native USB ports,
# and keep ModemManager from probing them. Installed to /etc/udev/rules.d/60-kiln.rules.
# It must sort before 73-seat-late.rules for TAG+="uaccess" to take effect.
ACTION=="remove", GOTO="kiln_end"

# FTDI adapters: latency timer 1 ms instead of the driver's 16 ms, so replies from the chip are not held back.
SUBSYSTEM=="usb-serial", DRIVER=="ftdi_sio", ATTR{latency_timer}="1"

SUBSYSTEM!="tty", GOTO="kiln_end"

# Silicon Labs CP210x (CP2102/CP2104/CP2102N, CP2105, CP2108)
ATTRS{idVendor}=="10c4", ATTRS{idProduct}=="ea60|ea63|ea70|ea71|80a9", TAG+="uaccess", ENV{ID_MM_DEVICE_IGNORE}="1", ENV{ID_MM_PORT_IGNORE}="1"
# WCH CH340/CH341, CH9102, CH343
ATTRS{idVendor}=="1a86", ATTRS{idProduct}=="7523|55d4|55d3", TAG+="uaccess", ENV{ID_MM_DEVICE_IGNORE}="1", ENV{ID_MM_PORT_IGNORE}="1"
# FTDI FT232R, FT2232, FT4232, FT232H, FT-X
ATTRS{idVendor}=="0403", ATTRS{idProduct}=="6001|6010|6011|6014|6015", TAG+="uaccess", ENV{ID_MM_DEVICE_IGNORE}="1", ENV{ID_MM_PORT_IGNORE}="1"
# Prolific PL2303
ATTRS{idVendor}=="067b", ATTRS{idProduct}=="2303|23a3|23b3|23c3|23d3|23e3|23f3", TAG+="uaccess", ENV{ID_MM_DEVICE_IGNORE}="1", ENV{ID_MM_PORT_IGNORE}="1"
# Espressif native USB (USB-Serial/JTAG, ESP32-S2/S3 USB-OTG)
ATTRS{idVendor}=="303a", TAG+="uaccess", ENV{ID_MM_DEVICE_IGNORE}="1", ENV{ID_MM_PORT_IGNORE}="1"

LABEL="kiln_end"
`;
