#!/bin/bash
# Kiln: after-install script for the deb and rpm packages (fpm --after-install).
#
# electron-builder uses this file *instead of* its default after-install template, so the first part below is that
# template (app-builder-lib/templates/linux/after-install.tpl, electron-builder 26, MIT licence) kept line for line:
# the /usr/bin link, the chrome-sandbox mode and the AppArmor profile on Ubuntu 24+. A test checks that every command
# of the default template is still here, in order. Kiln's own part follows at the end.
#
# electron-builder replaces dollar-brace macros made of letters only (executable, sanitizedProductName) and fails on
# unknown ones, so Kiln's shell variables below are written as plain $NAME.


if type update-alternatives >/dev/null 2>&1; then
    # Remove previous link if it doesn't use update-alternatives
    if [ -L '/usr/bin/${executable}' -a -e '/usr/bin/${executable}' -a "`readlink '/usr/bin/${executable}'`" != '/etc/alternatives/${executable}' ]; then
        rm -f '/usr/bin/${executable}'
    fi
    update-alternatives --install '/usr/bin/${executable}' '${executable}' '/opt/${sanitizedProductName}/${executable}' 100 || ln -sf '/opt/${sanitizedProductName}/${executable}' '/usr/bin/${executable}'
else
    ln -sf '/opt/${sanitizedProductName}/${executable}' '/usr/bin/${executable}'
fi

# Check if user namespaces are supported by the kernel and working with a quick test:
if ! { [[ -L /proc/self/ns/user ]] && unshare --user true; }; then
    # Use SUID chrome-sandbox only on systems without user namespaces:
    chmod 4755 '/opt/${sanitizedProductName}/chrome-sandbox' || true
else
    chmod 0755 '/opt/${sanitizedProductName}/chrome-sandbox' || true
fi

if hash update-mime-database 2>/dev/null; then
    update-mime-database /usr/share/mime || true
fi

if hash update-desktop-database 2>/dev/null; then
    update-desktop-database /usr/share/applications || true
fi

# Install apparmor profile. (Ubuntu 24+)
# First check if the version of AppArmor running on the device supports our profile.
# This is in order to keep backwards compatibility with Ubuntu 22.04 which does not support abi/4.0.
# In that case, we just skip installing the profile since the app runs fine without it on 22.04.
#
# Those apparmor_parser flags are akin to performing a dry run of loading a profile.
# https://wiki.debian.org/AppArmor/HowToUse#Dumping_profiles
#
# Unfortunately, at the moment AppArmor doesn't have a good story for backwards compatibility.
# https://askubuntu.com/questions/1517272/writing-a-backwards-compatible-apparmor-profile
if apparmor_status --enabled > /dev/null 2>&1; then
  APPARMOR_PROFILE_SOURCE='/opt/${sanitizedProductName}/resources/apparmor-profile'
  APPARMOR_PROFILE_TARGET='/etc/apparmor.d/${executable}'
  if apparmor_parser --skip-kernel-load --debug "$APPARMOR_PROFILE_SOURCE" > /dev/null 2>&1; then
    cp -f "$APPARMOR_PROFILE_SOURCE" "$APPARMOR_PROFILE_TARGET"

    # Updating the current AppArmor profile is not possible and probably not meaningful in a chroot'ed environment.
    # Use cases are for example environments where images for clients are maintained.
    # There, AppArmor might correctly be installed, but live updating makes no sense.
    if ! { [ -x '/usr/bin/ischroot' ] && /usr/bin/ischroot; } && hash apparmor_parser 2>/dev/null; then
      # Extra flags taken from dh_apparmor:
      # > By using '-W -T' we ensure that any abstraction updates are also pulled in.
      # https://wiki.debian.org/AppArmor/Contribute/FirstTimeProfileImport
      apparmor_parser --replace --write-cache --skip-read-cache "$APPARMOR_PROFILE_TARGET"
    fi
  else
    echo "Skipping the installation of the AppArmor profile as this version of AppArmor does not seem to support the bundled profile"
  fi
fi

# --- Kiln: serial port access for the person at the computer -------------------------------------------------------
# 60-kiln.rules tags known USB-serial bridges and Espressif native USB with "uaccess" (systemd-logind then grants the
# logged-in user access; no dialout group, no re-login) and tells ModemManager to leave them alone.
# The number 60 makes it run before 73-seat-late.rules, which applies the uaccess tag.
KILN_UDEV_SOURCE='/opt/${sanitizedProductName}/resources/udev/60-kiln.rules'
KILN_UDEV_TARGET='/etc/udev/rules.d/60-kiln.rules'
if [ -f "$KILN_UDEV_SOURCE" ]; then
  mkdir -p /etc/udev/rules.d
  install -m 0644 "$KILN_UDEV_SOURCE" "$KILN_UDEV_TARGET" || true
  # Reloading udev is meaningless in a chroot (image builds) and impossible without udevadm (containers).
  if hash udevadm 2>/dev/null && ! { [ -x '/usr/bin/ischroot' ] && /usr/bin/ischroot; }; then
    # Re-evaluate the rules for adapters that are already plugged in, so they work without replugging.
    udevadm control --reload-rules && udevadm trigger --subsystem-match=tty --subsystem-match=usb-serial --action=change || true
  fi
fi

exit 0
