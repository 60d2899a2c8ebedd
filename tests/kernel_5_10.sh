#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
#
# The end-to-end checks inside Linux 5.10, the kernel of Debian 11 (the
# newest linux-image-5.10.0-N-amd64 of bullseye's main), booted under
# qemu: see tests/kernels/run.sh. Output is TAP.
top=${TOP_SRCDIR:-$(cd "$(dirname "$0")/.." && pwd)}
. "$top/tests/lib/tap.sh" && require_root
exec /bin/sh "$top/tests/kernels/run.sh" 5.10
