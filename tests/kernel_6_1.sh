#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
#
# The end-to-end checks inside Linux 6.1, the kernel of Debian 12 (the
# newest linux-image-6.1.0-N-amd64 of bookworm's main), booted under
# qemu: see tests/kernels/run.sh. Output is TAP.
top=${TOP_SRCDIR:-$(cd "$(dirname "$0")/.." && pwd)}
. "$top/tests/lib/tap.sh" && require_root
exec /bin/sh "$top/tests/kernels/run.sh" 6.1
