#!/bin/bash
# Kiln: after-remove script for the deb and rpm packages (fpm --after-remove).
#
# Replaces electron-builder's default after-remove template; the first part below is that template
# (app-builder-lib/templates/linux/after-remove.tpl, electron-builder 26, MIT licence) kept line for line (a test checks
# it). Kiln's part at the end takes the udev rule away again.


# Delete the link to the binary
# update-alternatives --remove <name> <path>: 'path' must be the registered alternative binary,
# not the generic symlink — see https://man7.org/linux/man-pages/man1/update-alternatives.1.html
if type update-alternatives >/dev/null 2>&1; then
    update-alternatives --remove '${executable}' '/opt/${sanitizedProductName}/${executable}'
else
    rm -f '/usr/bin/${executable}'
fi

APPARMOR_PROFILE_DEST='/etc/apparmor.d/${executable}'

# Remove and unload apparmor profile.
if [ -f "$APPARMOR_PROFILE_DEST" ]; then
  # Unload the profile from the running kernel before deleting the file so the
  # policy is not left enforced until the next reboot.  Mirror the chroot guard
  # used in the after-install script — live AppArmor operations are not
  # meaningful inside a chroot.
  # https://wiki.debian.org/AppArmor/HowToUse
  if apparmor_status --enabled > /dev/null 2>&1; then
    if ! { [ -x '/usr/bin/ischroot' ] && /usr/bin/ischroot; } && hash apparmor_parser 2>/dev/null; then
      apparmor_parser --remove "$APPARMOR_PROFILE_DEST" || true
    fi
  fi
  rm -f "$APPARMOR_PROFILE_DEST"
fi

# --- Kiln: take the udev rule away ---------------------------------------------------------------------------------
# Not on upgrade: dpkg calls postrm with "upgrade", and rpm runs the old package's %postun (with $1 >= 1) *after* the
# new package's %post, so removing the rule there would delete the one just installed.
case "$1" in
  upgrade | failed-upgrade | [1-9]*) KILN_UPGRADING=1 ;;
  *) KILN_UPGRADING=0 ;;
esac
KILN_UDEV_TARGET='/etc/udev/rules.d/60-kiln.rules'
if [ "$KILN_UPGRADING" = 0 ] && [ -f "$KILN_UDEV_TARGET" ]; then
  rm -f "$KILN_UDEV_TARGET"
  if hash udevadm 2>/dev/null && ! { [ -x '/usr/bin/ischroot' ] && /usr/bin/ischroot; }; then
    udevadm control --reload-rules && udevadm trigger --subsystem-match=tty --action=change || true
  fi
fi

exit 0
